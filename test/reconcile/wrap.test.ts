import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { wrapLine } from "../../lib/reconcile/wrap.js";

describe("wrapping plan text at 80 columns", () => {
  it("leaves a short line alone and hangs continuations four deeper than the line", () => {
    expect(wrapLine("  + tcp/80 from 10.0.0.0/8")).toEqual(["  + tcp/80 from 10.0.0.0/8"]);
    expect(wrapLine(`  ! warning: ${"word ".repeat(20).trim()}`, 40)).toEqual([
      "  ! warning: word word word word word",
      "      word word word word word word word",
      "      word word word word word word word",
      "      word",
    ]);
  });

  it("counts colour codes as no columns", () => {
    const green = (text: string) => `\u001b[32m${text}\u001b[0m`;
    expect(wrapLine(green("x".repeat(78)))).toHaveLength(1);
  });

  it("keeps every word, in order, and every line within the width unless one word is longer", () => {
    const word = fc.stringMatching(/^[a-z0-9=,()/:.-]{1,30}$/);
    fc.assert(
      fc.property(
        fc.nat({ max: 8 }),
        fc.array(word, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 20, max: 100 }),
        (indent, words, width) => {
          const line = " ".repeat(indent) + words.join(" ");
          const lines = wrapLine(line, width);
          expect(lines.join(" ").split(" ").filter(Boolean)).toEqual(words);
          for (const [i, out] of lines.entries()) {
            const own = out.trim();
            if (out.length > width) expect(own.includes(" ")).toBe(false);
            expect(out.length - out.trimStart().length).toBe(i === 0 ? indent : indent + 4);
          }
        },
      ),
    );
  });
});
