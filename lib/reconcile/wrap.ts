/** Text within a terminal's width (80 columns, docs/reviewing-plans.md). */

export const PLAN_WIDTH = 80;

// Colour codes take no columns on a terminal.
const ESCAPES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const columns = (text: string) => text.replace(ESCAPES, "").length;

/**
 * One line as several of at most `width` columns, broken at spaces; the continuation lines are
 * indented `hang` more than the line's own indent. A word longer than a line stays whole.
 */
export function wrapLine(line: string, width = PLAN_WIDTH, hang = 4): string[] {
  if (columns(line) <= width) return [line];
  const indent = /^ */.exec(line)?.[0] ?? "";
  const continuation = indent + " ".repeat(hang);
  const lines: string[] = [];
  let current = "";
  for (const word of line.slice(indent.length).split(" ")) {
    if (current === "") current = indent + word;
    else if (columns(current) + 1 + columns(word) > width) {
      lines.push(current);
      current = continuation + word;
    } else current = `${current} ${word}`;
  }
  lines.push(current);
  return lines;
}

/** Every line of a text wrapped (wrapLine). */
export function wrapText(text: string, width = PLAN_WIDTH, hang = 4): string {
  return text
    .split("\n")
    .flatMap((line) => wrapLine(line, width, hang))
    .join("\n");
}
