import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    pool: "forks",
    env: {
      // cdk-nag reads deprecated properties of the constructs it checks (CfnEventBusPolicy#principal),
      // which segsync does not set: that notice is not about this code.
      JSII_DEPRECATED: "quiet",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  },
});
