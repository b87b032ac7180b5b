package dev.sessionops.claude.message;

import java.util.ArrayList;
import java.util.List;

import dev.sessionops.claude.api.v1alpha1.GitWorkspace;
import dev.sessionops.claude.api.runner.PodLayout;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;

/**
 * The {@code git-init} init container: on a session's first Job it clones the repository into the workspace and
 * checks out the branch (created from {@code baseRef} when the remote lacks it); later Jobs find {@code .git} and
 * leave the checkout alone. The script is fixed text: repository, branch and base ref reach it only as environment
 * variables, used quoted, so no value can change what the shell runs.
 */
public final class GitInit {
    public static final String ENV_DIR = "GIT_INIT_DIR";
    public static final String ENV_REPOSITORY = "GIT_REPOSITORY";
    public static final String ENV_BRANCH = "GIT_BRANCH";
    public static final String ENV_BASE_REF = "GIT_BASE_REF";
    public static final String ENV_USERNAME = "GIT_USERNAME";
    public static final String ENV_PASSWORD = "GIT_PASSWORD";
    /** Keys read from {@code credentialsSecretRef}. */
    public static final String SECRET_USERNAME_KEY = "username";
    public static final String SECRET_PASSWORD_KEY = "password";

    public static final String SCRIPT = """
            set -eu
            dir="$GIT_INIT_DIR"
            if [ -e "$dir/.git" ]; then
              printf 'git-init: %s already holds a checkout; leaving it as it is\\n' "$dir"
              exit 0
            fi
            if [ -n "$(ls -A "$dir")" ]; then
              printf 'git-init: %s is not empty but holds no git checkout; not cloning over it\\n' "$dir" >&2
              exit 1
            fi
            # a failed first clone must not look like a finished checkout to the next Job
            trap 'status=$?; if [ "$status" -ne 0 ]; then find "$dir" -mindepth 1 -delete; fi' EXIT
            if [ -n "${GIT_PASSWORD:-}" ]; then
              # the helper reads the secret from the environment when git asks; it never appears in argv
              set -- -c 'credential.helper=!f() { test "$1" = get || exit 0; if [ -n "${GIT_USERNAME:-}" ]; then printf "username=%s\\n" "$GIT_USERNAME"; fi; printf "password=%s\\n" "$GIT_PASSWORD"; }; f'
            else
              set --
            fi
            git "$@" clone -- "$GIT_REPOSITORY" "$dir"
            cd "$dir"
            branch="${GIT_BRANCH:-}"
            base="${GIT_BASE_REF:-}"
            if [ -z "$branch" ]; then
              exit 0
            fi
            if git rev-parse --verify --quiet "refs/remotes/origin/$branch" >/dev/null; then
              git checkout -B "$branch" --track "refs/remotes/origin/$branch"
            elif [ -n "$base" ]; then
              if git rev-parse --verify --quiet "refs/remotes/origin/$base^{commit}" >/dev/null; then
                start="refs/remotes/origin/$base"
              elif git rev-parse --verify --quiet "refs/tags/$base^{commit}" >/dev/null; then
                start="refs/tags/$base"
              else
                printf 'git-init: baseRef "%s" is neither a branch nor a tag of the repository\\n' "$base" >&2
                exit 1
              fi
              git checkout --no-track -b "$branch" "$start"
            else
              git checkout -b "$branch"
            fi
            """;

    private GitInit() {
    }

    static Container container(JobPlan plan, List<EnvVar> baseEnv, List<VolumeMount> mounts) {
        return new ContainerBuilder()
                .withName(PodLayout.GIT_INIT_CONTAINER)
                .withImage(plan.image())
                .withCommand(JobSpecBuilder.escapeExpansion(List.of("/bin/sh", "-c", SCRIPT)))
                .withWorkingDir(PodLayout.WORKSPACE)
                .withEnv(env(plan.git(), baseEnv))
                .withVolumeMounts(mounts)
                .withResources(plan.resources())
                .withSecurityContext(RestrictedSecurity.container())
                .build();
    }

    private static List<EnvVar> env(GitWorkspace git, List<EnvVar> baseEnv) {
        List<EnvVar> env = new ArrayList<>(baseEnv);
        env.add(plain(ENV_DIR, PodLayout.WORKSPACE));
        env.add(plain(ENV_REPOSITORY, git.getRepository()));
        if (notBlank(git.getBranch())) {
            env.add(plain(ENV_BRANCH, git.getBranch()));
        }
        if (notBlank(git.getBaseRef())) {
            env.add(plain(ENV_BASE_REF, git.getBaseRef()));
        }
        if (git.getCredentialsSecretRef() != null) {
            String secret = git.getCredentialsSecretRef().getName();
            env.add(EnvVars.fromSecret(ENV_USERNAME, secret, SECRET_USERNAME_KEY, true));
            env.add(EnvVars.fromSecret(ENV_PASSWORD, secret, SECRET_PASSWORD_KEY, true));
        }
        env.add(plain("HOME", PodLayout.HOME));
        // fail instead of waiting for a password nobody can type
        env.add(plain("GIT_TERMINAL_PROMPT", "0"));
        return env;
    }

    /** Names this container sets itself; same-named entries of the user's env are dropped. */
    static List<String> ownNames() {
        return List.of(ENV_DIR, ENV_REPOSITORY, ENV_BRANCH, ENV_BASE_REF, ENV_USERNAME, ENV_PASSWORD, "HOME",
                "GIT_TERMINAL_PROMPT");
    }

    private static EnvVar plain(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
