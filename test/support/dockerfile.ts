// A Dockerfile replayed without a Docker engine (none runs on these machines): its
// stages' COPY and RUN steps run in order, each stage in its own folder standing for
// the image's file system, with the environment the Dockerfile sets. What the base
// image brings (node, npm) is this machine's. A step in the wrong order (a RUN that
// needs files a later COPY brings) fails here as it would in `docker build`.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Stage {
  /** `FROM <image>`. */
  image: string;
  /** `AS <name>`, or the stage's index. */
  name: string;
  /** The stage's folder on this machine, standing for its `/`. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  cmd: string[] | undefined;
  healthcheck: { flags: Record<string, string>; cmd: string[] } | undefined;
  expose: string[];
  /** The COPY and RUN steps, as written. */
  steps: string[];
}

interface Instruction {
  keyword: string;
  flags: Record<string, string>;
  rest: string;
  line: number;
}

/** The Dockerfile's instructions: continuation lines joined, comments dropped, leading `--flag=value`s split off. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let current = lines[i]!.trim();
    if (current === '' || current.startsWith('#')) continue;
    while (current.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i]!.trim();
      if (next.startsWith('#')) continue;
      current = `${current.slice(0, -1).trimEnd()} ${next}`;
    }
    const match = /^(\S+)\s*(.*)$/.exec(current)!;
    let rest = match[2]!;
    const flags: Record<string, string> = {};
    for (let flag = /^--([\w-]+)=(\S+)\s*/.exec(rest); flag; flag = /^--([\w-]+)=(\S+)\s*/.exec(rest)) {
      flags[flag[1]!] = flag[2]!;
      rest = rest.slice(flag[0].length);
    }
    instructions.push({ keyword: match[1]!.toUpperCase(), flags, rest, line });
  }
  return instructions;
}

/** `["node", "x"]` (exec form) as it is; anything else (shell form) through `/bin/sh -c`. */
function commandOf(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as string[];
  return ['/bin/sh', '-c', trimmed];
}

/** `ENV A=b C="d e"` (or the old `ENV A b`). */
function envOf(rest: string): Record<string, string> {
  const pairs = [...rest.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)];
  if (pairs.length === 0) {
    const [, name, value] = /^(\S+)\s+(.*)$/.exec(rest.trim())!;
    return { [name!]: value! };
  }
  return Object.fromEntries(pairs.map(([, name, value]) => [name!, value!.startsWith('"') ? (JSON.parse(value!) as string) : value!]));
}

export interface ReplayOptions {
  /** The build context: a folder holding what `docker build .` would send. */
  context: string;
  /** Where the stages' folders are made. */
  scratch: string;
  /** The environment every RUN starts from (the base image's: PATH, HOME...). */
  baseEnv: Record<string, string>;
  /** Told of each step before it runs. */
  onStep?: (stage: Stage, step: string) => void;
}

/** Replays every stage; returns them in order (the image is the last). Throws at the first step that fails, naming it. */
export function replayDockerfile(dockerfile: string, { context, scratch, baseEnv, onStep }: ReplayOptions): Stage[] {
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  const inStage = (s: Stage, p: string) => path.join(s.root, path.posix.resolve(s.workdir, p));
  for (const { keyword, flags, rest, line } of parseDockerfile(readFileSync(dockerfile, 'utf8'))) {
    const where = `Dockerfile line ${line} (${keyword} ${rest})`;
    if (keyword === 'FROM') {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)!;
      const parent = stages.find((s) => s.name === image);
      if (parent) throw new Error(`${where}: a stage built FROM another stage is not replayed`);
      const index = stages.length;
      stage = { image: image!, name: name ?? String(index), root: path.join(scratch, `stage-${index}`), workdir: '/', env: {}, user: undefined, cmd: undefined, healthcheck: undefined, expose: [], steps: [] };
      mkdirSync(stage.root, { recursive: true });
      stages.push(stage);
      continue;
    }
    if (!stage) throw new Error(`${where}: before any FROM`);
    switch (keyword) {
      case 'WORKDIR':
        stage.workdir = path.posix.resolve(stage.workdir, rest.trim());
        mkdirSync(inStage(stage, '.'), { recursive: true });
        break;
      case 'ENV':
        Object.assign(stage.env, envOf(rest));
        break;
      case 'USER':
        stage.user = rest.trim();
        break;
      case 'EXPOSE':
        stage.expose.push(...rest.trim().split(/\s+/));
        break;
      case 'CMD':
        stage.cmd = commandOf(rest);
        break;
      case 'HEALTHCHECK': {
        const cmd = /^CMD\s+(.*)$/i.exec(rest.trim());
        stage.healthcheck = cmd ? { flags, cmd: commandOf(cmd[1]!) } : undefined;
        break;
      }
      case 'COPY': {
        onStep?.(stage, `${keyword} ${rest}`);
        stage.steps.push(`COPY ${Object.entries(flags).map(([k, v]) => `--${k}=${v} `).join('')}${rest}`);
        const parts = rest.trim().startsWith('[') ? (JSON.parse(rest) as string[]) : rest.trim().split(/\s+/);
        const dest = parts.pop()!;
        const from = flags.from ? stages.find((s) => s.name === flags.from) : undefined;
        if (flags.from && !from) throw new Error(`${where}: no stage named ${flags.from} before this one`);
        const target = inStage(stage, dest);
        const intoFolder = dest.endsWith('/') || dest === '.' || parts.length > 1 || (existsSync(target) && statSync(target).isDirectory());
        for (const source of parts) {
          const file = from ? path.join(from.root, path.posix.resolve(from.workdir, source)) : path.join(context, source);
          if (!existsSync(file)) throw new Error(`${where}: ${source} does not exist in ${from ? `stage ${from.name}` : 'the build context'}`);
          // A folder's contents are copied, not the folder itself, as Docker does.
          if (statSync(file).isDirectory()) cpSync(file, target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
          else {
            const to = intoFolder ? path.join(target, path.basename(file)) : target;
            mkdirSync(path.dirname(to), { recursive: true });
            cpSync(file, to, { preserveTimestamps: true });
          }
        }
        break;
      }
      case 'RUN': {
        onStep?.(stage, `${keyword} ${rest}`);
        stage.steps.push(`RUN ${rest}`);
        const [command, ...args] = commandOf(rest);
        // A RUN's own paths are relative to WORKDIR: an absolute one would escape the stage's folder.
        const result = spawnSync(command!, args, { cwd: inStage(stage, '.'), env: { ...baseEnv, ...stage.env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 });
        if (result.status !== 0) throw new Error(`${where} failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`.slice(-8000));
        break;
      }
      case 'LABEL':
      case 'ARG':
      case 'STOPSIGNAL':
        break;
      default:
        throw new Error(`${where}: ${keyword} is not replayed here`);
    }
  }
  return stages;
}

/**
 * The build context as a fresh clone has it: the repository's tracked files (as the
 * working tree has them), less what .dockerignore leaves out, copied into `dir`.
 */
export function makeBuildContext(repo: string, dir: string): void {
  const ignored = existsSync(path.join(repo, '.dockerignore'))
    ? readFileSync(path.join(repo, '.dockerignore'), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const patterns = ignored.map((pattern) => new RegExp(`^${pattern.replace(/^\//, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`));
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (patterns.some((p) => p.test(file)) || !existsSync(path.join(repo, file))) continue;
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    cpSync(path.join(repo, file), path.join(dir, file), { preserveTimestamps: true });
  }
}
