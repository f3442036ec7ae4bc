#!/usr/bin/env bash
# Regenerates the README gallery: runs each example that draws a figure (release,
# full mode) and copies its figure into docs/gallery/. About 20 minutes on 2 cores.
#
#   bash tools/gallery.sh
set -euo pipefail
cd "$(dirname "$0")/.."
unset VOLTAI_QUICK
mkdir -p docs/gallery
# Each line: the example, its main figure (→ docs/gallery/<example>.svg), then
# any further figures (→ docs/gallery/<example>_<figure>.svg).
while read -r example figure more; do
  [[ -z "$example" || "$example" == \#* ]] && continue
  echo "== $example"
  mkdir -p "reports/$example"
  cargo run -q --release --all-features --example "$example" >"reports/$example/output.txt" 2>/dev/null
  cp "reports/$example/$figure" "docs/gallery/$example.svg"
  for extra in $more; do
    cp "reports/$example/$extra" "docs/gallery/${example}_$extra"
  done
done <<'LIST'
quickstart severson_parity.svg
eis_failure_svm roc.svg
eis_anomaly_ocsvm decision_vs_soh.svg
multifidelity_surrogate fits_2C.svg
multifidelity_physics fit_2C.svg
eis_capacity_gp parity.svg parity_paper.svg ard_relevance.svg
lifetime_linear_uncertainty learning_curve.svg
sindy_lorenz lorenz.svg
sindy_battery_ecm v1.svg
charging_protocol_bo safe_set.svg
cathode_pareto front.svg
life_benchmark rmse.svg
capacity_trajectory_forecast forecasts.svg
transfer_protocols learning_curve.svg
crystal_graph_property parity.svg learning_curve.svg
LIST
ls -la docs/gallery
