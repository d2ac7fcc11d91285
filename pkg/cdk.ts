/**
 * `import { SegmentationSynchronizer } from "segsync/cdk"`: the CDK construct and its props
 * (docs/deploying.md). Its functions are bundled when the package is built and ship as assets,
 * so a consuming app needs neither segsync's sources nor esbuild.
 */
export * from "../infra/synchronizer.js";
