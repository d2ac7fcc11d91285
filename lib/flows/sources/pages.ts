import { LocationReadError } from "./errors.js";

/**
 * A cloud listing's pages, as they come; a failed page is an error naming the location, its
 * reason from `reason` (which leaves out what must not be printed).
 */
export async function* listedPages<T>(
  location: string,
  pages: AsyncIterable<T>,
  reason: (error: unknown) => string,
): AsyncGenerator<T> {
  const iterator = pages[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw new LocationReadError(location, reason(error), { cause: error });
    }
    if (next.done === true) return;
    yield next.value;
  }
}
