/**
 * Split GGUF sets as llama.cpp's `llama-gguf-split` names them: `<base>-00001-of-00003.gguf`, … Each
 * part is a GGUF of its own (`split.no`, `split.count` in its metadata); the first holds the model's
 * metadata, and llama.cpp loads the whole set when given the first part.
 */
import { fileSize } from './fileSize';

const splitName = /^(.*)-(\d{5})-of-(\d{5})(\.gguf)$/i;

export interface SplitPart {
  /** The name (or path) before `-0000N-of-0000M.gguf`. */
  base: string;
  /** From 1. */
  part: number;
  count: number;
}

/** What a name (or path) says of its place in a split set; null for a name that is not a part of one. */
export function splitPartOf(name: string): SplitPart | null {
  const match = splitName.exec(name);
  if (!match) return null;
  const part = Number(match[2]);
  const count = Number(match[3]);
  return part >= 1 && part <= count ? { base: match[1], part, count } : null;
}

/** The names (or paths) of every part of the set `name` belongs to, in order; a single file is a set of one. */
export function splitPartNames(name: string): string[] {
  const match = splitName.exec(name);
  const split = splitPartOf(name);
  if (!match || !split) return [name];
  const digits = (value: number) => String(value).padStart(5, '0');
  return Array.from({ length: split.count }, (_, index) => `${split.base}-${digits(index + 1)}-of-${digits(split.count)}${match[4]}`);
}

export interface SplitSet {
  /** The file a model is known by: the first part, or the lowest part present when the first is missing. */
  first: string;
  /** The parts present, in part order (a single file alone). */
  files: string[];
  /** Parts the names declare (1 for a single file). */
  declared: number;
}

/** Groups paths into models: each split set once, however many of its parts are there; sorted by `first`. */
export function groupSplitSets(paths: string[]): SplitSet[] {
  const sets = new Map<string, { path: string; part: number }[]>();
  for (const path of paths) {
    const split = splitPartOf(path);
    const key = split ? `${split.base}\0${split.count}` : path;
    sets.set(key, [...(sets.get(key) ?? []), { path, part: split?.part ?? 1 }]);
  }
  return [...sets.values()]
    .map((members) => {
      const files = members.sort((a, b) => a.part - b.part).map((member) => member.path);
      return { first: files[0], files, declared: splitPartOf(files[0])?.count ?? 1 };
    })
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
}

/** Bytes of a model on disk: every part of a split set, or the one file. */
export async function modelBytes(path: string): Promise<number> {
  const sizes = await Promise.all(splitPartNames(path).map((part) => fileSize(part)));
  return sizes.reduce((sum, size) => sum + size, 0);
}
