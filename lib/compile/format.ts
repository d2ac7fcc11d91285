import type { LabelSelector } from "../policy/model.js";

/** `{app: shop, role: [api, batch]}`, as a policy author wrote it. */
export function formatSelector(selector: LabelSelector): string {
  const parts = Object.keys(selector)
    .sort()
    .map((dimension) => {
      const values = selector[dimension] as readonly string[];
      return `${dimension}: ${values.length === 1 ? values[0] : `[${values.join(", ")}]`}`;
    });
  return `{${parts.join(", ")}}`;
}
