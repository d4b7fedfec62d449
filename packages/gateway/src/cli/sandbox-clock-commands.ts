import { InvalidArgumentError, type Command } from 'commander';
import { callSandbox, gatewayUrlFrom, withGatewayOption } from './sandbox-client.ts';

const UNIT_S: Record<string, number> = { '': 1, s: 1, m: 60, h: 60 * 60, d: 24 * 60 * 60 };

/** `ovo-tokenize sandbox clock [advance <duration> | reset]`: the running gateway's test clock (README "Test clock"). */
export function registerSandboxClockCommands(sandbox: Command): void {
  // --gateway is the clock command's, so it may come before or after a subcommand (commander gives a parent's
  // options to it wherever they stand): the subcommands read it from there.
  const clock = withGatewayOption(sandbox.command('clock').description('show the sandbox gateway\'s clock; advance or reset it'))
    .configureHelp({ showGlobalOptions: true })
    .action(async (flags: { gateway?: string }) => {
      console.log(describe(await callClock(flags.gateway, 'GET', '/sandbox/clock')));
    });

  clock.command('advance').description('move the gateway\'s clock forward: payments, sessions, codes and PIN locks expire, due retries go out')
    .argument('<duration>', 'how far: 90 or 90s (seconds), 15m, 1h, 2d', duration)
    .action(async (seconds: number) => {
      const reading = await callClock(clock.opts<{ gateway?: string }>().gateway, 'POST', '/sandbox/clock/advance', { seconds });
      console.log(`advanced ${formatDuration(seconds)}; ${describe(reading)}`);
      console.log('payments and activation sessions past their time have expired (their merchants are being told); retries now due are going out');
    });

  clock.command('reset').description('return the gateway\'s clock to real time (what was made while ahead keeps its times)')
    .action(async () => {
      console.log(describe(await callClock(clock.opts<{ gateway?: string }>().gateway, 'POST', '/sandbox/clock/reset', {})));
    });
}

interface ClockReply {
  now: string;
  offset_seconds: number;
}

async function callClock(gateway: string | undefined, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ClockReply> {
  return await callSandbox(gatewayUrlFrom(gateway), method, path, body) as ClockReply;
}

function describe(reading: ClockReply): string {
  const ahead = reading.offset_seconds === 0 ? 'real time' : `${formatDuration(reading.offset_seconds)} ahead of real time`;
  return `gateway clock ${reading.now} (${ahead})`;
}

/** Whole seconds from `90`, `90s`, `15m`, `1h` or `2d`. */
export function duration(value: string): number {
  const match = /^([0-9]{1,10})([smhd]?)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * UNIT_S[match[2]!]! : 0;
  if (!(seconds >= 1)) throw new InvalidArgumentError('must be a positive whole number of seconds, minutes, hours or days: 90, 90s, 15m, 1h, 2d');
  return seconds;
}

/** 93784 → "1d 2h 3m 4s". */
function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join(' ');
}
