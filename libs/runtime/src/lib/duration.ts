import { z } from 'zod';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The longest `fullEvery` (`--full-every`): the age past which Directory Insights watermarks are not trusted. */
export const MAX_FULL_EVERY_MS = 80 * UNIT_MS.d;

/** The message of a value that is not a duration (the flag, variable or key is put before it). */
export const DURATION_ERROR = 'must be a duration such as 30m, 6h, 24h or 2d (a whole number and its unit: s, m, h or d)';

/**
 * A duration `<whole number><unit>`, the unit `s`, `m`, `h` or `d` (`30m`, `6h`, `24h`, `2d`), in
 * milliseconds; undefined for anything else. A bare number is refused: `24` could mean hours as
 * well as seconds.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^([0-9]{1,9})([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A zod schema of a duration string, greater than zero and at most 80 days, to milliseconds. */
export const durationMs = z
  .string({ error: DURATION_ERROR })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: DURATION_ERROR });
      return z.NEVER;
    }
    return ms;
  })
  .pipe(z.number().min(1, 'must be longer than 0').max(MAX_FULL_EVERY_MS, 'must be at most 80d'));
