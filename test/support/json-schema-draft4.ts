/**
 * A validator for the JSON Schema draft-04 keywords that Microsoft's policy rule schema
 * (test/fixtures/guardrails/azure/schemas) uses, so that tests can check documents against it
 * without a dependency. An unknown keyword or an unloaded $ref throws: teach it first.
 */
type Schema = Readonly<Record<string, unknown>>;

const ANNOTATIONS = new Set(["id", "$schema", "title", "description", "default", "definitions"]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isInteger(value)) return "integer";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

/** Schemas by their `id` (without the trailing `#`), for `$ref`s into them. */
export class SchemaSet {
  private readonly schemas = new Map<string, Schema>();

  constructor(schemas: readonly Schema[]) {
    for (const schema of schemas) this.schemas.set(String(schema.id).replace(/#$/, ""), schema);
  }

  /** Every error of `value` against the schema of that id (empty: valid). */
  errors(id: string, value: unknown): string[] {
    const root = this.schemas.get(id);
    if (root === undefined) throw new Error(`no schema ${id}`);
    return this.check(root, root, value, "$");
  }

  private resolve(root: Schema, ref: string): { root: Schema; schema: Schema } {
    const [base, pointer = ""] = ref.split("#");
    const target = base === "" || base === undefined ? root : this.schemas.get(base);
    if (target === undefined) throw new Error(`$ref to a schema not loaded: ${ref}`);
    let schema: unknown = target;
    for (const part of pointer.split("/").filter((segment) => segment !== ""))
      schema = (schema as Record<string, unknown>)[part];
    if (schema === undefined) throw new Error(`$ref to nothing: ${ref}`);
    return { root: target, schema: schema as Schema };
  }

  private check(root: Schema, schema: Schema, value: unknown, path: string): string[] {
    const errors: string[] = [];
    const record = value as Record<string, unknown>;
    const isObject = typeOf(value) === "object";
    for (const [keyword, argument] of Object.entries(schema)) {
      if (ANNOTATIONS.has(keyword)) continue;
      switch (keyword) {
        case "$ref": {
          const target = this.resolve(root, argument as string);
          errors.push(...this.check(target.root, target.schema, value, path));
          break;
        }
        case "type": {
          const types = Array.isArray(argument) ? (argument as string[]) : [argument as string];
          if (!types.some((type) => hasType(value, type)))
            errors.push(`${path}: expected ${types.join(" or ")}, got ${typeOf(value)}`);
          break;
        }
        case "enum":
          if (!(argument as unknown[]).includes(value))
            errors.push(`${path}: not in ${JSON.stringify(argument)}`);
          break;
        case "pattern":
          if (typeof value === "string" && !new RegExp(argument as string).test(value))
            errors.push(`${path}: does not match ${argument}`);
          break;
        case "maxLength":
          if (typeof value === "string" && value.length > (argument as number))
            errors.push(`${path}: longer than ${argument}`);
          break;
        case "required":
          if (isObject)
            for (const key of argument as string[])
              if (!(key in record)) errors.push(`${path}: missing ${key}`);
          break;
        case "properties":
          if (isObject)
            for (const [key, sub] of Object.entries(argument as Record<string, Schema>))
              if (key in record) errors.push(...this.check(root, sub, record[key], `${path}.${key}`));
          break;
        case "additionalProperties":
          if (argument !== false) throw new Error(`additionalProperties other than false at ${path}`);
          if (isObject) {
            const known = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
            for (const key of Object.keys(record))
              if (!known.includes(key)) errors.push(`${path}: unknown property ${key}`);
          }
          break;
        case "items":
          if (Array.isArray(value))
            value.forEach((item, index) => {
              errors.push(...this.check(root, argument as Schema, item, `${path}[${index}]`));
            });
          break;
        case "additionalItems":
          // Only meaningful with a tuple `items`; every `items` here is one schema.
          break;
        case "minItems":
          if (Array.isArray(value) && value.length < (argument as number))
            errors.push(`${path}: fewer than ${argument} items`);
          break;
        case "allOf":
          for (const sub of argument as Schema[]) errors.push(...this.check(root, sub, value, path));
          break;
        case "anyOf":
          if (!(argument as Schema[]).some((sub) => this.check(root, sub, value, path).length === 0))
            errors.push(`${path}: matches none of anyOf`);
          break;
        case "oneOf": {
          const matching = (argument as Schema[]).filter(
            (sub) => this.check(root, sub, value, path).length === 0,
          ).length;
          if (matching !== 1) errors.push(`${path}: matches ${matching} of oneOf, not exactly one`);
          break;
        }
        default:
          throw new Error(`unsupported JSON Schema keyword ${keyword} at ${path}`);
      }
    }
    return errors;
  }
}
