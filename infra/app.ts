/**
 * The sample app (`npx cdk synth`, `npx cdk deploy`): the construct with the example policy and
 * sample configuration (infra/sample.ts), checked by cdk-nag's AWS Solutions rules at synth.
 * Copy it and replace SAMPLE_PROPS and the account with yours.
 */
import { App, Stack, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { SAMPLE_ACCOUNT, SAMPLE_PROPS, SAMPLE_REGION } from "./sample.js";
import { SegmentationSynchronizer, SynchronizerConfigError } from "./synchronizer.js";

const app = new App();
const stack = new Stack(app, "Segsync", {
  // The sample configuration reaches this account with the reconciler's own role: pin it.
  env: { account: SAMPLE_ACCOUNT, region: SAMPLE_REGION },
  description: "segsync: label-based micro-segmentation across AWS, Azure and GCP",
});
// `cdk synth -c segsync:policyFile=path/to/policy.yaml` tries another policy with the sample setup.
const policyFile = app.node.tryGetContext("segsync:policyFile") as string | undefined;
try {
  new SegmentationSynchronizer(stack, "Segsync", { ...SAMPLE_PROPS, ...(policyFile ? { policyFile } : {}) });
} catch (error) {
  // The policy's or the configuration's own messages, without a stack trace through the CDK.
  if (!(error instanceof SynchronizerConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
// A finding that is not acknowledged (infra/nag.ts, with its reason) fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
