/**
 * How every cloud's ingest says what is wrong with a native event: one line per problem, each
 * starting with the path of the offending field, and a message that names the cloud.
 */

/**
 * A field's path as the lines name it (`detail.instance-id`, `resources[0]`,
 * `[0].data.operationName`); `whole` when the path is empty (the value itself).
 */
export function fieldPath(path: readonly PropertyKey[], whole: string): string {
  if (path.length === 0) return whole;
  return path
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`,
    )
    .join("");
}

/** A cloud's event error for these lines: "<source> event rejected: <line>; <line>". */
export function rejectedEvent<E>(
  errorClass: new (message: string, issues: readonly string[]) => E,
  source: string,
  lines: readonly string[],
): E {
  return new errorClass(`${source} event rejected: ${lines.join("; ")}`, lines);
}
