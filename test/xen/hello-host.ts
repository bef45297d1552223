// A deterministic 48 MiB host running the hello guest up to its "ready" line, with a test
// controller on its console: the common start of the tests that put other domains beside it.
import { expect } from "vitest";
import { BufferConsole } from "../../src/xen/console-sink.js";
import { CpuPort } from "../../src/xen/cpu-port.js";
import { XenHost } from "../../src/xen/host.js";
import { TestController } from "./control-ring.js";
import { loadElfGuest, type LoadedGuest } from "./elf-loader.js";

export interface ReadyHelloHost {
  host: XenHost;
  console: BufferConsole;
  hello: LoadedGuest;
  ctl: TestController;
}

export function readyHelloHost(): ReadyHelloHost {
  const console = new BufferConsole();
  const host = new XenHost({ timeMode: "deterministic", memoryMiB: 48, console });
  host.attachCpu(new CpuPort(host.core));
  const hello = loadElfGuest(host, "build/xen/guests/hello.elf", { name: "hello", memoryMiB: 8 });
  const ctl = new TestController(host, hello);
  host.unpause(hello.d);
  expect(host.runUntil(() => console.textOf(hello.d.id).includes("hello: ready"), 200_000)).toBe(true);
  return { host, console, hello, ctl };
}
