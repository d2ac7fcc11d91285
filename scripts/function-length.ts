/** Finds functions longer than a limit in TypeScript source (issue 14: no function over 60 lines). */
import ts from "typescript";

export const MAX_FUNCTION_LINES = 60;

export interface LongFunction {
  readonly file: string;
  /** 1-based line of the function's first line. */
  readonly line: number;
  readonly name: string;
  /** First to last line, both included. */
  readonly lines: number;
}

type FunctionNode =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

function isFunctionNode(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

function enclosingClassName(node: ts.Node): string | undefined {
  const parent = node.parent;
  if (parent && (ts.isClassDeclaration(parent) || ts.isClassExpression(parent))) {
    return parent.name?.text ?? "<class>";
  }
  return undefined;
}

function ownName(node: FunctionNode, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return "constructor";
  if (node.name) return node.name.getText(source);
  // An anonymous function is named by what holds it: `const f = () => ...` or `{ f: () => ... }`.
  const parent = node.parent;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText(source);
  }
  return `<anonymous in ${enclosingFunctionName(node, source)}>`;
}

/** The name of the nearest named function around `node`, so an anonymous one can be told apart by its home. */
function enclosingFunctionName(node: ts.Node, source: ts.SourceFile): string {
  for (let at = node.parent; at; at = at.parent) {
    if (isFunctionNode(at)) return functionName(at, source);
  }
  return "module";
}

/** `Class.method` for class members, the plain name otherwise. */
export function functionName(node: FunctionNode, source: ts.SourceFile): string {
  const own = ownName(node, source);
  const owner = enclosingClassName(node);
  return owner ? `${owner}.${own}` : own;
}

function lineOf(source: ts.SourceFile, position: number): number {
  return source.getLineAndCharacterOfPosition(position).line + 1;
}

/** Every function, method, arrow function, accessor and constructor in `text` longer than `limit` lines. */
export function findLongFunctions(file: string, text: string, limit = MAX_FUNCTION_LINES): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    // A function without a body (an overload or an abstract method) has no length to speak of.
    if (isFunctionNode(node) && node.body) {
      const line = lineOf(source, node.getStart(source));
      const lines = lineOf(source, node.getEnd()) - line + 1;
      if (lines > limit) found.push({ file, line, name: functionName(node, source), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function allowListKey(fn: LongFunction): string {
  return `${fn.file}:${fn.name}`;
}

/**
 * What to report: long functions not allowed, allowed ones (keyed `file:name`, with the length allowed)
 * that grew, and allowed ones no longer over the limit (so the list only shrinks).
 */
export function allowListProblems(
  found: readonly LongFunction[],
  allowed: ReadonlyMap<string, number>,
  limit = MAX_FUNCTION_LINES,
): string[] {
  const messages: string[] = [];
  for (const fn of found) {
    const allowedLines = allowed.get(allowListKey(fn));
    if (allowedLines === undefined) {
      messages.push(`${fn.file}:${fn.line} ${fn.name} is ${fn.lines} lines (limit ${limit})`);
    } else if (fn.lines > allowedLines) {
      messages.push(
        `${fn.file}:${fn.line} ${fn.name} grew to ${fn.lines} lines (allowed ${allowedLines}: split it)`,
      );
    }
  }
  const stillLong = new Set(found.map(allowListKey));
  for (const key of allowed.keys()) {
    if (!stillLong.has(key))
      messages.push(`${key} is no longer over the limit: remove it from STILL_TOO_LONG`);
  }
  return messages;
}
