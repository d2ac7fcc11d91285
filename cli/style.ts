/** ANSI styles for people's output; `on` false (not a terminal, NO_COLOR) leaves the text as is. */
const CODES = {
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  red: "\u001b[31m",
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  cyan: "\u001b[36m",
} as const;
const RESET = "\u001b[0m";

export type Style = keyof typeof CODES;

export function styler(on: boolean): (style: Style, text: string) => string {
  return (style, text) => (on ? `${CODES[style]}${text}${RESET}` : text);
}

/** Indents every non-empty line of a block. */
export function indent(text: string, by = "  "): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? line : `${by}${line}`))
    .join("\n");
}

/** The width of a block that `indent` indents by two: with the indent it fits 80 columns. */
export const INDENTED_WIDTH = 78;
