// `minix-on-xen xm`: Xen 2.0's domain-management command against a running host (run or host),
// over the host's control socket.
import { resolve } from "node:path";
import { parseCommandArgs } from "./args.js";
import { defaultControlPath, formatDomainList, type ControlReply, type ControlRequest } from "../xen/tools/control-protocol.js";
import { xmConsole, xmRequest } from "../xen/tools/xm-client.js";

const help = `Usage: minix-on-xen xm [--control PATH] <subcommand> [args]

Subcommands (as in Xen 2.0's xm):
  create CONFIG [NAME=VALUE...] [-c]   start a domain from a config file (-c: then attach its console)
  list [-l]                             list domains (-l: with builder and kernel)
  destroy DOM                           stop a domain at once and free its memory
  shutdown DOM [--reboot]               ask the guest to shut down (CMSG_SHUTDOWN)
  pause DOM / unpause DOM               stop / resume scheduling a domain
  console DOM                           attach this terminal to the domain's console alone (Ctrl-] detaches)
  dmesg                                 print Xen's log
DOM is a domain id or name.

Options:
  --control PATH   the host's control socket (default: $MINIX_ON_XEN_CONTROL or ${defaultControlPath()})`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    { control: { type: "string" }, reboot: { type: "boolean" }, console: { type: "boolean", short: "c" }, long: { type: "boolean", short: "l" } },
    help,
    true,
  );
  if (parsed === null) return 0;
  const path = parsed.values.control ?? defaultControlPath();
  const [sub, ...args] = parsed.positionals;
  const needDomain = (): string => {
    if (args.length !== 1) throw new TypeError(`Cannot run xm ${sub}: expected one domain id or name, got ${args.length} arguments`);
    return args[0];
  };
  let req: ControlRequest;
  switch (sub) {
    case undefined:
      console.error(help);
      return 2;
    case "create":
      if (args.length < 1) throw new TypeError("Cannot run xm create: expected a config file");
      req = { op: "create", config: resolve(args[0]), overrides: args.slice(1) };
      break;
    case "list":
      req = { op: "list" };
      break;
    case "dmesg":
      req = { op: "dmesg" };
      break;
    case "destroy":
    case "pause":
    case "unpause":
      req = { op: sub, domain: needDomain() };
      break;
    case "shutdown":
      req = { op: "shutdown", domain: needDomain(), reason: parsed.values.reboot === true ? "reboot" : "poweroff" };
      break;
    case "console":
      await attach(path, needDomain());
      return 0;
    default:
      console.error(`Cannot run xm "${sub}": unknown subcommand\n\n${help}`);
      return 2;
  }
  const reply = await xmRequest(path, req);
  if (!reply.ok) {
    console.error(reply.error);
    return 1;
  }
  print(req, reply, parsed.values.long === true);
  if (req.op === "create" && parsed.values.console === true && reply.domain !== undefined) {
    await attach(path, String(reply.domain.id));
  }
  return 0;
}

/** `xm console`: this terminal on the domain's console until detach; then stdin is let go so we can exit. */
async function attach(path: string, domain: string): Promise<void> {
  try {
    await xmConsole(path, domain, { input: process.stdin, output: process.stdout, notes: process.stderr });
  } finally {
    process.stdin.destroy();
  }
}

function print(req: ControlRequest, reply: Extract<ControlReply, { ok: true }>, long: boolean): void {
  const d = reply.domain;
  switch (req.op) {
    case "list":
      console.log(formatDomainList(reply.domains ?? [], long));
      break;
    case "dmesg":
      process.stdout.write(reply.text ?? "");
      break;
    case "create":
      console.log(`Started domain ${d?.name} (id=${d?.id})`);
      break;
    case "destroy":
      console.log(`Destroyed domain ${d?.name} (id=${d?.id})`);
      break;
    case "shutdown":
      console.log(`Asked domain ${d?.name} (id=${d?.id}) to ${req.reason === "reboot" ? "reboot" : "shut down"}`);
      break;
    case "pause":
    case "unpause":
      console.log(`Domain ${d?.name} (id=${d?.id}) ${req.op}d`);
      break;
    default:
      break;
  }
}
