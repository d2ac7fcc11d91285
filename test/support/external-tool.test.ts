import { afterEach, describe, expect, it, vi } from "vitest";
import { skipUnless } from "./external-tool.js";

describe("skipUnless", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it("runs the tests when the program is there", () => {
    vi.stubEnv("SEGSYNC_REQUIRE_EXTERNAL_TOOLS", "1");
    expect(skipUnless(true, "present-tool", "the tests", "install it")).toBe(false);
  });

  it("skips with one visible notice per program when it is missing", () => {
    vi.stubEnv("SEGSYNC_REQUIRE_EXTERNAL_TOOLS", "");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(skipUnless(false, "absent-tool", "the absent tests", "npm ci")).toBe(true);
    expect(skipUnless(false, "absent-tool", "the absent tests", "npm ci")).toBe(true);
    expect(warn.mock.calls).toEqual([
      ["absent-tool not found: skipping the absent tests (npm ci to run them)"],
    ]);
  });

  it("fails instead under SEGSYNC_REQUIRE_EXTERNAL_TOOLS=1, as CI sets it", () => {
    vi.stubEnv("SEGSYNC_REQUIRE_EXTERNAL_TOOLS", "1");
    expect(() => skipUnless(false, "azurite-blob", "the Azure Blob tests", "npm ci")).toThrow(
      "azurite-blob not found, and SEGSYNC_REQUIRE_EXTERNAL_TOOLS=1 requires it for the Azure Blob tests",
    );
  });
});
