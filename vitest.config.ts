import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: one on a 2-core CI machine, idle while a
    // test waits on a child process (moto_server, chromium, npm, cdk). Two keep both cores busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    env: {
      // cdk-nag reads deprecated properties of the constructs it checks (CfnEventBusPolicy#principal),
      // which segsync does not set: that notice is not about this code.
      JSII_DEPRECATED: "quiet",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  },
});
