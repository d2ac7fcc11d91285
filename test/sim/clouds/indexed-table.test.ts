import { describe, expect, it } from "vitest";
import { IndexedTable } from "../../../sim/clouds/common/indexed-table.js";

interface Card {
  readonly room: string;
  readonly seats: string[];
  owner?: string;
}

function table() {
  return new IndexedTable<Card, "seat" | "owner">({
    seat: (card) => card.seats.map((seat) => [card.room, seat] as const),
    owner: (card) => (card.owner === undefined ? [] : [[card.owner, ""] as const]),
  });
}

describe("IndexedTable", () => {
  it("finds values by what they hold, and forgets what a replaced or deleted value held", () => {
    const cards = table();
    cards.set("a", { room: "r1", seats: ["1", "2"] });
    cards.set("b", { room: "r1", seats: ["3"] });
    cards.set("c", { room: "r2", seats: ["1"] });
    expect([...cards.keysAt("seat", "r1", "1")]).toEqual(["a"]);
    expect([...cards.items("seat", "r1").keys()]).toEqual(["1", "2", "3"]);

    cards.set("a", { room: "r2", seats: ["2"] });
    expect(cards.keysAt("seat", "r1", "1").size).toBe(0);
    expect([...cards.items("seat", "r1").keys()]).toEqual(["3"]);
    expect([...cards.keysAt("seat", "r2", "2")]).toEqual(["a"]);

    expect(cards.delete("b")).toBe(true);
    expect(cards.delete("b")).toBe(false);
    expect(cards.items("seat", "r1").size).toBe(0);
    cards.clear();
    expect(cards.items("seat", "r2").size).toBe(0);
    expect(cards.size).toBe(0);
  });

  it("answers in the order a scan of values() finds them: first set, kept by a replacement, lost by a delete", () => {
    const cards = table();
    cards.set("z", { room: "r", seats: ["1"] });
    cards.set("a", { room: "r", seats: ["2"] });
    cards.set("m", { room: "r", seats: ["3"] });
    cards.set("z", { room: "r", seats: ["4"] });
    expect(cards.valuesIn("seat", "r").map((card) => card.seats[0])).toEqual(["4", "2", "3"]);
    cards.delete("z");
    cards.set("z", { room: "r", seats: ["5"] });
    const scanned = [...cards.values()].map((card) => card.seats[0]);
    expect(cards.valuesIn("seat", "r").map((card) => card.seats[0])).toEqual(scanned);
    expect(scanned).toEqual(["2", "3", "5"]);
    expect(cards.inOrder(["z", "gone", "a"]).map((card) => card.seats[0])).toEqual(["2", "5"]);
  });

  it("refiles a value changed in place when it is set again, and unfiles what it held when last set", () => {
    const cards = table();
    const card: Card = { room: "r", seats: ["1"], owner: "ann" };
    cards.set("a", card);
    card.owner = "bob";
    // Not set again yet: still filed under what it held.
    expect([...cards.keysAt("owner", "ann")]).toEqual(["a"]);
    cards.set("a", card);
    expect(cards.keysAt("owner", "ann").size).toBe(0);
    expect([...cards.keysAt("owner", "bob")]).toEqual(["a"]);
    delete card.owner;
    cards.delete("a");
    expect(cards.keysAt("owner", "bob").size).toBe(0);
  });
});
