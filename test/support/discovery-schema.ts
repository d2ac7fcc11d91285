/**
 * Checks a JSON value against a schema of a Google API discovery document (its `schemas`
 * section): every field known, of its type, and, in a request, no output-only field.
 */
interface DiscoverySchema {
  readonly type?: string;
  readonly $ref?: string;
  readonly properties?: Readonly<Record<string, DiscoverySchema>>;
  readonly items?: DiscoverySchema;
  readonly additionalProperties?: DiscoverySchema;
  readonly readOnly?: boolean;
}

export type DiscoverySchemas = Readonly<Record<string, DiscoverySchema>>;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

export function discoveryErrors(
  schemas: DiscoverySchemas,
  schema: DiscoverySchema,
  value: unknown,
  options: { readonly request: boolean },
  path = "$",
): string[] {
  if (schema.$ref !== undefined) {
    const target = schemas[schema.$ref];
    if (target === undefined) throw new Error(`no schema ${schema.$ref} in the extract`);
    return discoveryErrors(schemas, target, value, options, path);
  }
  if (schema.type === "any" || schema.type === undefined) return [];
  const actual = typeOf(value);
  const matches = actual === schema.type || (schema.type === "number" && actual === "integer");
  if (!matches) return [`${path}: expected ${schema.type}, got ${actual}`];
  if (schema.type === "array")
    return (value as unknown[]).flatMap((item, index) =>
      schema.items === undefined
        ? []
        : discoveryErrors(schemas, schema.items, item, options, `${path}[${index}]`),
    );
  if (schema.type !== "object") return [];
  const errors: string[] = [];
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const fieldSchema = schema.properties?.[key] ?? schema.additionalProperties;
    if (fieldSchema === undefined) {
      errors.push(`${path}.${key}: not a field of this schema`);
      continue;
    }
    if (options.request && fieldSchema.readOnly)
      errors.push(`${path}.${key}: output only, not for a request`);
    errors.push(...discoveryErrors(schemas, fieldSchema, field, options, `${path}.${key}`));
  }
  return errors;
}
