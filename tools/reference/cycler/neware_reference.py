"""Reference values for the Neware .nda/.ndax tests, from NewareNDA.

    pip install NewareNDA==2026.6.11   (into tools/reference/.venv)
    tools/reference/.venv/bin/python tools/reference/cycler/neware_reference.py

Writes neware_expected.txt next to this script (NewareNDA 2026.6.11, pandas 2.3.3).
"""
import os
import sys

import NewareNDA, numpy as np, pandas as pd, zipfile, struct

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("VOLTAI_DATA_DIR", os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))
P = os.path.join(DATA, "cycler_formats", "neware") + os.sep
out=[]
def w(s=''): out.append(s)
w('Expected values for neware.rs tests, produced by NewareNDA 2026.6.11 (python, /tmp/nda_venv) on')
w('/work/shared/data/cycler_formats/neware/. Units as in TimeSeriesRecord: V, A (charge positive), Ah, Unix s,')
w('test_time_s = Timestamp - first Timestamp. NewareNDA stores V/I/capacities as float32, the Rust reader keeps')
w('f64 from the raw fields, so compare with rel. tol 1e-6 (absolute 1e-9 for values that are 0).')
w('Timestamps: NewareNDA has microsecond resolution; compare Unix seconds with abs tol 1e-5 s.')
w('Row numbers below are 1-based positions in output order (row 1000 = df.iloc[999]; row 100 given too, the small ndax has only 301 rows); Index = Neware record index,')
w('which neware.rs also passes to Sink::record as `origin`.')
w('"temperature_c" = what neware.rs should give (see notes per file).')
w()
files=[('TestFile.nda','T1'),('123456789012_Unit27_Example_Data_File.ndax','T1'),('20260302_IFE_BTS85_2_9_8_1.ndax','?1_y')]
for fn,tcol in files:
    df=NewareNDA.read(P+fn)
    ts=(df['Timestamp'].astype('int64').to_numpy()/1e6)  # datetime64[us, UTC]
    assert str(df['Timestamp'].dtype)=='datetime64[us, UTC]'
    tt=ts-ts[0]
    V=df['Voltage'].to_numpy(float); I=df['Current(mA)'].to_numpy(float)/1000
    cc=df['Charge_Capacity(mAh)'].to_numpy(float)/1000; dc=df['Discharge_Capacity(mAh)'].to_numpy(float)/1000
    T=df[tcol].to_numpy(float)
    w('='*100); w(f'FILE {fn}'); w('='*100)
    w(f'rows: {len(df)}')
    cyc=sorted(set(df['Cycle'].tolist())); w(f'distinct cycle_index: {len(cyc)} -> {cyc}')
    w(f'distinct step_index (Step): {df["Step"].nunique()} (max {df["Step"].max()})')
    w(f'voltage_v min/max: {V.min():.9g} / {V.max():.9g}')
    w(f'test_time_s first/last: {tt[0]:.6f} / {tt[-1]:.6f}')
    w(f'timestamp_s first/last: {ts[0]:.6f} / {ts[-1]:.6f}  (start_s = first)')
    w(f'max |current_a|: {np.abs(I).max():.9g}  (at row {int(np.abs(I).argmax())+1}, signed {I[np.abs(I).argmax()]:.9g})')
    w(f'current_a min/max: {I.min():.9g} / {I.max():.9g}')
    w(f'charge_capacity_ah max: {cc.max():.9g}; discharge_capacity_ah max: {dc.max():.9g}')
    tv=T[~np.isnan(T)]
    w(f'temperature_c: present on {len(tv)} rows, min/max {tv.min():.9g} / {tv.max():.9g}' if len(tv) else 'temperature_c: None on all rows')
    def row(k):
        r=df.iloc[k]
        return (f'row {k+1}: Index={r["Index"]} cycle={r["Cycle"]} step={r["Step"]} Step_Index={r["Step_Index"]} status={r["Status"]} '
                f'V={V[k]:.9g} I_A={I[k]:.9g} chg_Ah={cc[k]:.9g} dchg_Ah={dc[k]:.9g} ts={ts[k]:.6f} test_time={tt[k]:.6f} T={T[k]:.9g}')
    for k in (0,1,2): w(row(k))
    w(row(99))
    if len(df)>=1000: w(row(999))
    extra={'TestFile.nda':[667,2999,3500],'20260302_IFE_BTS85_2_9_8_1.ndax':[36155,100000-1,200000-1]}.get(fn,[])
    for k in extra: w(row(k))
    w(row(len(df)-1))
    # step sequence
    seq=df.groupby('Step',sort=True).agg(status=('Status','first'),cycle=('Cycle','first'),n=('Index','size'),first=('Index','first'))
    w('step sequence (step: status, cycle_index, rows, first Index):')
    w('  '+'; '.join(f'{s}:{r.status},c{r.cycle},{r.n},@{r.first}' for s,r in seq.iterrows()))
    w()
open(os.path.join(HERE, 'neware_expected.txt'),'w').write('\n'.join(out))
print('\n'.join(out))
