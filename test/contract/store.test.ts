import { join } from "node:path";
import { FileInventoryStore } from "../../lib/inventory/file-store.js";
import { MemoryInventoryStore } from "../../lib/inventory/memory-store.js";
import { describeInventoryStoreContract } from "./store.contract.js";

describeInventoryStoreContract({
  name: "MemoryInventoryStore",
  create: async () => new MemoryInventoryStore(),
});
describeInventoryStoreContract({
  name: "FileInventoryStore",
  create: (directory) => FileInventoryStore.open(join(directory, "inventory.json")),
});
