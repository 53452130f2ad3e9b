// Builds the app against the fixture ASL (and fixture handler entries) without bundling, for Template tests.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, REPO_ROOT } from '../../cdk/app.js';
import type { InstantCloneStack } from '../../cdk/instant-clone-stack.js';

export const FIXTURE_ASL = 'test/fixtures/cdk/instant-clone.asl.json';
export const FIXTURE_LAMBDAS = 'test/fixtures/cdk/lambdas';
export const EXAMPLE_CONFIG = 'cdk/config.example.json';

export function exampleConfig(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(REPO_ROOT, EXAMPLE_CONFIG), 'utf8')) as Record<string, unknown>;
}

/** Writes a config variant to a temp file and returns its path. */
export function writeConfig(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'ic-cdk-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

export interface Synth {
  app: App;
  stack: InstantCloneStack;
  template: Template;
}

export function synthFixture(
  options: { configPath?: string; nag?: boolean; context?: Record<string, unknown> } = {},
): Synth {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], ...options.context },
    outdir: mkdtempSync(join(tmpdir(), 'ic-cdk-out-')),
  });
  const { stack } = buildApp({
    app,
    configPath: options.configPath ?? EXAMPLE_CONFIG,
    aslPath: FIXTURE_ASL,
    lambdasDir: FIXTURE_LAMBDAS,
    nag: options.nag ?? false,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Synthesized CloudFormation is untyped JSON; tests index into it freely. */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are untyped JSON
export type Json = any;
