/**
 * A validator for exactly the JSON Schema keywords that the policy schema uses, so that tests
 * can check documents against the committed file without a dependency. An unknown keyword
 * throws: if the schema starts using one, this must learn it first.
 */
type Schema = Readonly<Record<string, unknown>>;

const ANNOTATIONS = new Set(["$schema", "$id", "title", "description", "default"]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

export function jsonSchemaErrors(schema: Schema, value: unknown, path = "$"): string[] {
  const errors: string[] = [];
  for (const [keyword, argument] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    switch (keyword) {
      case "type":
        if (typeOf(value) !== argument) errors.push(`${path}: expected ${argument}, got ${typeOf(value)}`);
        break;
      case "const":
        if (value !== argument) errors.push(`${path}: expected ${JSON.stringify(argument)}`);
        break;
      case "enum":
        if (!(argument as unknown[]).includes(value))
          errors.push(`${path}: not in ${JSON.stringify(argument)}`);
        break;
      case "pattern":
        if (typeof value === "string" && !new RegExp(argument as string, "u").test(value)) {
          errors.push(`${path}: ${JSON.stringify(value)} does not match ${argument}`);
        }
        break;
      case "minItems":
        if (Array.isArray(value) && value.length < (argument as number))
          errors.push(`${path}: too few items`);
        break;
      case "items":
        if (Array.isArray(value)) {
          value.forEach((item, index) => {
            errors.push(...jsonSchemaErrors(argument as Schema, item, `${path}[${index}]`));
          });
        }
        break;
      case "required":
        if (typeOf(value) === "object") {
          for (const key of argument as string[]) {
            if (!Object.hasOwn(value as object, key)) errors.push(`${path}: missing ${key}`);
          }
        }
        break;
      case "properties":
      case "additionalProperties":
      case "propertyNames":
        if (typeOf(value) === "object") errors.push(...objectErrors(schema, keyword, value as Schema, path));
        break;
      case "anyOf":
        if ((argument as Schema[]).every((option) => jsonSchemaErrors(option, value, path).length > 0)) {
          errors.push(`${path}: matches no alternative`);
        }
        break;
      default:
        throw new Error(`unsupported JSON Schema keyword ${keyword}`);
    }
  }
  return errors;
}

function objectErrors(schema: Schema, keyword: string, value: Schema, path: string): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const errors: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = `${path}.${key}`;
    if (keyword === "properties" && Object.hasOwn(properties, key)) {
      errors.push(...jsonSchemaErrors(properties[key] as Schema, child, childPath));
    } else if (keyword === "propertyNames") {
      errors.push(...jsonSchemaErrors(schema.propertyNames as Schema, key, `${childPath} (key)`));
    } else if (keyword === "additionalProperties" && !Object.hasOwn(properties, key)) {
      const additional = schema.additionalProperties;
      if (additional === false) errors.push(`${childPath}: not allowed`);
      else errors.push(...jsonSchemaErrors(additional as Schema, child, childPath));
    }
  }
  return errors;
}
