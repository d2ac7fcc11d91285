/** Addresses as the simulated clouds hold them: IPv4, in canonical text (addresses are compared as text). */
import { z } from "zod";
import { parseCidr } from "../lib/net/cidr.js";

/** One IPv4 address in canonical text: the simulated clouds hold IPv4 addresses, compared as text. */
export const Ipv4AddressSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseCidr(text);
  if (text.includes("/") || !parsed.ok || parsed.cidr.family !== 4) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not an IPv4 address` });
  } else if (parsed.cidr.text !== `${text}/32`) {
    const canonical = parsed.cidr.text.slice(0, -3);
    ctx.addIssue({ code: "custom", message: `"${text}" is not in canonical form: write "${canonical}"` });
  }
});

/** An IPv4 CIDR block in canonical text with no host bits set. */
export const Ipv4CidrSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    // parseCidr's own message names the text.
    ctx.addIssue({ code: "custom", message: parsed.message });
  } else if (!text.includes("/") || parsed.cidr.family !== 4) {
    const why = parsed.cidr.family !== 4 ? "it is not IPv4" : "it has no prefix length";
    ctx.addIssue({ code: "custom", message: `"${text}" is not an IPv4 CIDR block: ${why}` });
  } else if (parsed.cidr.text !== text) {
    ctx.addIssue({
      code: "custom",
      message: `"${text}" is not in canonical form: write "${parsed.cidr.text}"`,
    });
  }
});
