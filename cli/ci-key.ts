// Where an acquire's idempotency key and requester come from when the user gives none: the CI system's own
// identifiers for this job, so a retried step (or a re-run of the same attempt) attaches to the same run.
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';

type Env = Record<string, string | undefined>;

export interface CiIdentity {
  /** which CI system the values came from ('github', 'gitlab', 'jenkins', or 'none') */
  system: 'github' | 'gitlab' | 'jenkins' | 'none';
  /** the idempotency key for this job, or undefined outside CI */
  key?: string;
  /** a requester id that says who asked (a URL to the job where the CI gives one) */
  requester: string;
}

const REQUESTER_CHARS = /[^\w.@:/+-]/g;

/** A requester id the request schema accepts: at most 128 of letters, digits and ._@:/+- */
export function toRequesterId(value: string): string {
  const cleaned = value.replace(REQUESTER_CHARS, '-').slice(0, 128);
  return cleaned || 'unknown';
}

/** The CI job this process runs in, from the variables each system documents. */
export function ciIdentity(env: Env = process.env): CiIdentity {
  // GitHub Actions: GITHUB_RUN_ID is one workflow run, GITHUB_RUN_ATTEMPT its re-run count, GITHUB_JOB the job id.
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_RUN_ID) {
    const attempt = env.GITHUB_RUN_ATTEMPT ?? '1';
    const repo = env.GITHUB_REPOSITORY ?? '';
    const server = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/^https?:\/\//, '');
    return {
      system: 'github',
      key: ['gh', repo, env.GITHUB_RUN_ID, attempt, env.GITHUB_JOB ?? ''].join(':'),
      requester: toRequesterId(`${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${attempt}`),
    };
  }
  // GitLab CI: CI_JOB_ID is unique per instance and new for every retry of the job.
  if (env.GITLAB_CI === 'true' && env.CI_JOB_ID) {
    const server = (env.CI_SERVER_HOST ?? 'gitlab').replace(/^https?:\/\//, '');
    return {
      system: 'gitlab',
      key: ['gl', server, env.CI_JOB_ID].join(':'),
      requester: toRequesterId(
        env.CI_JOB_URL?.replace(/^https?:\/\//, '') ??
          `${server}/${env.CI_PROJECT_PATH ?? ''}/-/jobs/${env.CI_JOB_ID}`,
      ),
    };
  }
  // Jenkins: BUILD_TAG is "jenkins-<job name>-<build number>".
  if (env.BUILD_TAG && (env.JENKINS_URL || env.JENKINS_HOME || env.BUILD_NUMBER)) {
    return {
      system: 'jenkins',
      key: `jenkins:${env.BUILD_TAG}`,
      requester: toRequesterId(env.BUILD_URL?.replace(/^https?:\/\//, '') ?? env.BUILD_TAG),
    };
  }
  let user = env.USER ?? env.USERNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return { system: 'none', requester: toRequesterId(`${user}@${hostname()}`) };
}

/** The key an acquire uses: --key, else the CI job's, else a random one (then a retry makes a new run). */
export function acquireKey(given: string | undefined, env: Env = process.env): { key: string; from: string } {
  if (given) return { key: given, from: '--key' };
  const ci = ciIdentity(env);
  if (ci.key) return { key: ci.key, from: ci.system };
  return { key: `random:${randomUUID()}`, from: 'random' };
}
