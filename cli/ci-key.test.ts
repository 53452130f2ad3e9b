import { describe, expect, it } from 'vitest';
import { acquireKey, ciIdentity, toRequesterId } from './ci-key.js';

const github = {
  GITHUB_ACTIONS: 'true',
  GITHUB_RUN_ID: '9876543210',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_JOB: 'integration',
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_SERVER_URL: 'https://github.com',
};

describe('the idempotency key from the CI environment', () => {
  it('on GitHub Actions is run id + attempt + job, and a re-run attempt gets a new key', () => {
    expect(acquireKey(undefined, github)).toEqual({
      key: 'gh:acme/app:9876543210:2:integration',
      from: 'github',
    });
    const rerun = acquireKey(undefined, { ...github, GITHUB_RUN_ATTEMPT: '3' });
    expect(rerun.key).not.toBe(acquireKey(undefined, github).key);
    expect(ciIdentity(github).requester).toBe('github.com/acme/app/actions/runs/9876543210/attempts/2');
  });

  it('on GitLab CI is the job id', () => {
    const env = {
      GITLAB_CI: 'true',
      CI_JOB_ID: '4242',
      CI_SERVER_HOST: 'gitlab.example.com',
      CI_JOB_URL: 'https://gitlab.example.com/g/p/-/jobs/4242',
    };
    expect(acquireKey(undefined, env)).toEqual({ key: 'gl:gitlab.example.com:4242', from: 'gitlab' });
    expect(ciIdentity(env).requester).toBe('gitlab.example.com/g/p/-/jobs/4242');
  });

  it('on Jenkins is BUILD_TAG', () => {
    const env = { BUILD_TAG: 'jenkins-app-main-17', BUILD_NUMBER: '17', JENKINS_URL: 'https://ci/' };
    expect(acquireKey(undefined, env)).toEqual({ key: 'jenkins:jenkins-app-main-17', from: 'jenkins' });
  });

  it('--key wins over the CI environment', () => {
    expect(acquireKey('nightly-2026-11-30', github)).toEqual({ key: 'nightly-2026-11-30', from: '--key' });
  });

  it('outside CI is random, so two acquires make two runs', () => {
    const a = acquireKey(undefined, { USER: 'dev' });
    const b = acquireKey(undefined, { USER: 'dev' });
    expect(a.from).toBe('random');
    expect(a.key).not.toBe(b.key);
    expect(ciIdentity({ USER: 'dev' }).requester).toMatch(/^dev@/);
  });

  it('makes requester ids the request schema accepts', () => {
    expect(toRequesterId('jenkins/job/app%20x/17 (main)')).toBe('jenkins/job/app-20x/17--main-');
    expect(toRequesterId('x'.repeat(200))).toHaveLength(128);
    expect(toRequesterId('')).toBe('unknown');
  });
});
