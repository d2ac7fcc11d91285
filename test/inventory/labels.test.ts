import { describe, expect, it } from "vitest";
import { readLabels } from "../../lib/inventory/labels.js";

const CONFIG = { tagPrefix: "seg-", dimensions: ["app", "env", "role", "loc"] };

describe("readLabels", () => {
  it("reads the declared dimensions from <tagPrefix><dimension> and ignores other tags", () => {
    const reading = readLabels(
      { "seg-app": "shop", "seg-env": "prod", "seg-role": "web", Name: "web-1" },
      CONFIG,
    );
    expect(reading).toEqual({ labels: { app: "shop", env: "prod", role: "web" }, problems: [] });
  });

  it("ignores tags under the prefix for dimensions the policy does not declare", () => {
    expect(readLabels({ "seg-app": "shop", "seg-team": "Payments Team" }, CONFIG)).toEqual({
      labels: { app: "shop" },
      problems: [],
    });
  });

  it("needs the prefix: a bare dimension name is not a label", () => {
    expect(readLabels({ app: "shop" }, CONFIG).labels).toEqual({});
  });

  it.each([
    ["Shop", "values are lowercase"],
    ["", "values must not be empty"],
    ["x".repeat(64), "values are at most 63 characters"],
    ["shop.eu", "values use only a-z, 0-9, _ and -"],
    ["café", "values use only a-z, 0-9, _ and -"],
    ["a b", "values use only a-z, 0-9, _ and -"],
  ])("reports the non-portable value %j and treats the dimension as absent", (value, why) => {
    const reading = readLabels({ "seg-app": value, "seg-env": "prod" }, CONFIG);
    expect(reading.labels).toEqual({ env: "prod" });
    expect(reading.problems).toEqual([
      {
        tagKey: "seg-app",
        value,
        message: `tag "seg-app" has value ${JSON.stringify(value)}, which is not portable: ${why}`,
      },
    ]);
  });

  it("accepts values at the edges of the portable form", () => {
    const reading = readLabels({ "seg-app": "a".repeat(63), "seg-env": "0", "seg-role": "_-x-_" }, CONFIG);
    expect(reading.labels).toEqual({ app: "a".repeat(63), env: "0", role: "_-x-_" });
    expect(reading.problems).toEqual([]);
  });

  it("reports a key that matches only when case is ignored, and treats it as absent", () => {
    const reading = readLabels({ "Seg-App": "shop", "SEG-ENV": "prod", "seg-role": "web" }, CONFIG);
    expect(reading.labels).toEqual({ role: "web" });
    expect(reading.problems).toEqual([
      {
        tagKey: "SEG-ENV",
        value: "prod",
        message: 'tag key "SEG-ENV" is not portable: keys are lowercase, write "seg-env"',
      },
      {
        tagKey: "Seg-App",
        value: "shop",
        message: 'tag key "Seg-App" is not portable: keys are lowercase, write "seg-app"',
      },
    ]);
  });

  it("keeps the exact key when a case variant is also present, and still reports the variant", () => {
    const reading = readLabels({ "seg-app": "shop", "Seg-App": "blog" }, CONFIG);
    expect(reading.labels).toEqual({ app: "shop" });
    expect(reading.problems.map((problem) => problem.tagKey)).toEqual(["Seg-App"]);
  });

  it("reports problems in the same order however the cloud listed the tags", () => {
    const forward = readLabels({ "seg-app": "A", "seg-env": "B", "Seg-Role": "web" }, CONFIG);
    const backward = readLabels({ "Seg-Role": "web", "seg-env": "B", "seg-app": "A" }, CONFIG);
    expect(backward).toEqual(forward);
  });

  it("works with an empty prefix and never reads inherited object properties", () => {
    const config = { tagPrefix: "", dimensions: ["app", "constructor", "tostring"] };
    expect(readLabels({ app: "shop" }, config)).toEqual({ labels: { app: "shop" }, problems: [] });
    expect(readLabels({ toString: "x" }, config).problems[0]?.message).toContain('write "tostring"');
  });

  it("reads nothing when the policy declares no dimensions", () => {
    expect(readLabels({ "seg-app": "shop" }, { tagPrefix: "seg-", dimensions: [] })).toEqual({
      labels: {},
      problems: [],
    });
  });
});
