/** Types of scripts/build.mjs, for the TypeScript that imports it (its tests). */
export const ROOT: string;
export const DIST: string;
export function sourceFiles(root?: string): string[];
export function stampFor(startedMs: number, files: string[]): string;
export function staleReason(root?: string): string | null;
export function build(): void;
export function buildIfStale(): void;
