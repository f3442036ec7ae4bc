//! Ballista: the same queries on a cluster. Standalone mode runs an
//! in-process scheduler and executor that plan, serialise and execute
//! exactly as a remote cluster does.

use std::sync::Arc;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::context::SessionContext;
use datafusion::execution::registry::FunctionRegistry;
use datafusion::prelude::SessionConfig;
use voltai_battery_data::features::FleetFeatureOptions;
use voltai_core::Result;

use crate::query::df_error;
use crate::udafs;

/// A Ballista context backed by an in-process scheduler and one executor
/// with `partitions` task slots, queries split into `partitions`
/// partitions, the feature functions known to the client, the scheduler
/// and the executor (functions travel by name; each side resolves them
/// from its own registry, as on a cluster).
pub async fn ballista_standalone(
    partitions: usize,
    options: &FleetFeatureOptions,
) -> Result<SessionContext> {
    let partitions = partitions.max(1);
    let config = SessionConfig::new_with_ballista()
        .with_target_partitions(partitions)
        .with_ballista_standalone_parallelism(partitions);
    let mut state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    for f in udafs(options) {
        state
            .register_udaf(Arc::new(f))
            .map_err(|e| df_error("registering the feature functions", e))?;
    }
    let ctx = SessionContext::standalone_with_state(state)
        .await
        .map_err(|e| df_error("starting Ballista", e))?;
    // The client's planner gets Ballista's own function list: register
    // ours there too.
    crate::register(&ctx, options);
    Ok(ctx)
}
