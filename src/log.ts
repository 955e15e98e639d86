/**
 * One-line, level-filtered logging. Every module logs through a child with its
 * own prefix (`serial cam0: …`), so a line says where it came from.
 */

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  readonly level: LogLevel;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** A logger whose lines start with `prefix: `. */
  child(prefix: string): Logger;
}

export interface LoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: LogLevel;
  /** Where lines go. Default: `process.stderr`. */
  write?: (line: string) => void;
  /** Called before each line is written (the CLI clears its status line here). */
  beforeWrite?: () => void;
}

export function createLogger(options: LoggerOptions = {}, prefix = ''): Logger {
  const level = options.level ?? 'info';
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (at: LogLevel, message: string): void => {
    if (RANK[at] > RANK[level]) return;
    options.beforeWrite?.();
    const tag = at === 'info' ? '' : `${at}: `;
    write(`${tag}${prefix ? `${prefix}: ` : ''}${message}`);
  };
  return {
    level,
    error: (m) => emit('error', m),
    warn: (m) => emit('warn', m),
    info: (m) => emit('info', m),
    debug: (m) => emit('debug', m),
    child: (p) => createLogger(options, prefix ? `${prefix} ${p}` : p),
  };
}

/** A logger that drops everything (library default). */
export const silentLogger: Logger = {
  level: 'error',
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silentLogger,
};
