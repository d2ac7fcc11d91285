import { execFileSync } from "node:child_process";
import os from "node:os";

export interface MachineInfo {
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly totalMemoryMiB: number;
  readonly date: string;
  /** 1-minute load average when the run started: a busy machine explains noisy figures. */
  readonly loadAverage1m: number;
  /** The commit measured, when run inside a git checkout (figures are only comparable per commit). */
  readonly commit: string | null;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cpus: os.availableParallelism(),
    totalMemoryMiB: Math.round(os.totalmem() / (1024 * 1024)),
    date: new Date().toISOString(),
    loadAverage1m: os.loadavg()[0] ?? 0,
    commit: gitCommit(),
  };
}

function gitCommit(): string | null {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const dirty = execFileSync("git", ["status", "--porcelain"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return `${head.trim()}${dirty.trim() === "" ? "" : "+dirty"}`;
  } catch {
    return null;
  }
}
