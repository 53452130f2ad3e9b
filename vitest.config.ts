import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'cdk.out/**', '.vcsim-build/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/peers/build-vcsim.global-setup.ts'],
    // Peer tests (vcsim build, pyVmomi) and CDK synth are heavy; two workers fit a 2-core machine.
    maxWorkers: 2,
    // In CI a JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: process.env.CI === 'true' ? ['default', 'json'] : ['default'],
    outputFile: { json: 'out/test-results.json' },
  },
});
