/*
 * test-credentials.c: where credentials come from: explicit ones,
 * GITHUB_TOKEN for ghcr.io, $DOCKER_CONFIG/config.json auths, anonymous.
 */
#include "lib/common.h"
#include "registry/credentials.h"
#include "tap.h"

#include <unistd.h>

static char dir[] = "/tmp/publish-test-credentials.XXXXXX";

static void write_config(const char *json)
{
	struct strbuf path = STRBUF_INIT;
	FILE *f;

	strbuf_addf(&path, "%s/config.json", dir);
	f = fopen(path.buf, "w");
	fputs(json, f);
	fclose(f);
	strbuf_release(&path);
}

int main(void)
{
	struct credential c = CREDENTIAL_INIT;
	struct credential expl = { (char *)"me", (char *)"secret", "--username" };
	struct strbuf path = STRBUF_INIT;

	if (!mkdtemp(dir))
		return 1;
	setenv("DOCKER_CONFIG", dir, 1);
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITHUB_TOKEN");

	ok(credentials_lookup("ghcr.io", NULL, &c) == 0, "no config file: not an error");
	ok(c.username == NULL && c.password == NULL, "anonymous");
	is_str(c.source, "anonymous", "source anonymous");
	credential_release(&c);

	setenv("GITHUB_TOKEN", "ghs_token", 1);
	setenv("GITHUB_ACTOR", "octocat", 1);
	ok(credentials_lookup("ghcr.io", NULL, &c) == 0, "ghcr.io with GITHUB_TOKEN");
	is_str(c.username, "octocat", "GITHUB_ACTOR is the user");
	is_str(c.password, "ghs_token", "GITHUB_TOKEN is the password");
	is_str(c.source, "GITHUB_TOKEN", "source GITHUB_TOKEN");
	credential_release(&c);
	ok(credentials_lookup("ghcr.io", &expl, &c) == 0 && !strcmp(c.username, "me"),
	   "explicit credentials win");
	credential_release(&c);
	ok(credentials_lookup("registry.example", NULL, &c) == 0 && c.username == NULL,
	   "GITHUB_TOKEN is only for ghcr.io");
	credential_release(&c);
	unsetenv("GITHUB_TOKEN");

	write_config("{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"aHViOmh1Yi1wdw==\"},"
		     " \"reg.example:5000\": {\"auth\": \"dTpwOnc=\"},"
		     " \"plain.example\": {\"username\": \"pu\", \"password\": \"pp\"}}}");
	ok(credentials_lookup("docker.io", NULL, &c) == 0, "docker.io from the index.docker.io key");
	is_str(c.username, "hub", "user decoded");
	is_str(c.password, "hub-pw", "password decoded");
	is_str(c.source, "docker config", "source docker config");
	credential_release(&c);
	ok(credentials_lookup("reg.example:5000", NULL, &c) == 0, "host:port key");
	is_str(c.username, "u", "user before the first colon");
	is_str(c.password, "p:w", "password may hold a colon");
	credential_release(&c);
	ok(credentials_lookup("plain.example", NULL, &c) == 0 && !strcmp(c.password, "pp"),
	   "username/password fields");
	credential_release(&c);
	ok(credentials_lookup("other.example", NULL, &c) == 0 && c.username == NULL,
	   "a host not in the file is anonymous");
	credential_release(&c);

	error_set_quiet(1);
	write_config("{\"auths\": ");
	is_int(credentials_lookup("other.example", NULL, &c), -EXIT_AUTH, "broken config.json is an error");
	ok(strstr(error_last(), "is not valid JSON") != NULL, "which says so");
	write_config("{\"auths\": {\"bad.example\": {\"auth\": \"bm9jb2xvbg==\"}}}");
	is_int(credentials_lookup("bad.example", NULL, &c), -EXIT_AUTH, "auth without a colon is an error");
	write_config("{\"credHelpers\": {\"h.example\": \"does-not-exist-here\"}}");
	is_int(credentials_lookup("h.example", NULL, &c), -EXIT_AUTH, "a missing helper is an error");
	ok(strstr(error_last(), "docker-credential-does-not-exist-here") != NULL, "naming the helper");

	/* one normalisation, docker's, for the keys of a config and the host asked for */
	{
		static const struct { const char *in, *key, *host; } keys[] = {
			{ "docker.io", CREDENTIALS_DOCKER_HUB_KEY, "docker.io" },
			{ "index.docker.io", CREDENTIALS_DOCKER_HUB_KEY, "docker.io" },
			{ "registry-1.docker.io", CREDENTIALS_DOCKER_HUB_KEY, "docker.io" },
			{ "https://index.docker.io/v1/", CREDENTIALS_DOCKER_HUB_KEY, "docker.io" },
			{ "https://index.docker.io/v1", CREDENTIALS_DOCKER_HUB_KEY, "docker.io" },
			{ "https://docker.io", CREDENTIALS_DOCKER_HUB_KEY, "docker.io" },
			{ "ghcr.io", "ghcr.io", "ghcr.io" },
			{ "ghcr.io/", "ghcr.io", "ghcr.io" },
			{ "https://ghcr.io", "ghcr.io", "ghcr.io" },
			{ "https://ghcr.io/", "ghcr.io", "ghcr.io" },
			{ "GHCR.io", "ghcr.io", "ghcr.io" },
			{ "localhost:5000", "localhost:5000", "localhost:5000" },
			{ "http://localhost:5000/v2/", "localhost:5000", "localhost:5000" },
			{ "127.0.0.1:5000/", "127.0.0.1:5000", "127.0.0.1:5000" },
			{ "registry.example.com/team/app", "registry.example.com", "registry.example.com" },
		};
		struct strbuf k = STRBUF_INIT;

		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			strbuf_reset(&k);
			credentials_config_key(keys[i].in, &k);
			is_str(k.buf, keys[i].key, "config key of '%s'", keys[i].in);
			strbuf_reset(&k);
			credentials_registry_host(keys[i].in, &k);
			is_str(k.buf, keys[i].host, "registry host of '%s'", keys[i].in);
		}
		strbuf_release(&k);
	}

	/* every key form docker writes or a user types finds its entry */
	error_set_quiet(0);
	write_config("{\"auths\": {\"https://reg.example/\": {\"auth\": \"YTpi\"},"
		     " \"docker.io\": {\"auth\": \"aDpp\"},"
		     " \"http://local.example:5000/v2/\": {\"username\": \"l\", \"password\": \"lp\"}}}");
	ok(credentials_lookup("reg.example", NULL, &c) == 0 && c.username && !strcmp(c.username, "a"),
	   "an https://host/ key matches host");
	credential_release(&c);
	ok(credentials_lookup("docker.io", NULL, &c) == 0 && c.username && !strcmp(c.username, "h"),
	   "a docker.io key is Docker Hub's");
	credential_release(&c);
	ok(credentials_lookup("local.example:5000", NULL, &c) == 0 && c.password && !strcmp(c.password, "lp"),
	   "an http://host:port/v2/ key matches host:port");
	credential_release(&c);
	ok(credentials_lookup("local.example", NULL, &c) == 0 && !c.username,
	   "the port is part of the key");
	credential_release(&c);

	{
		/*
		 * The runner unescapes ::add-mask:: data (%25 %0D %0A) and masks
		 * log lines one at a time: a secret of several lines is masked
		 * whole (escaped) and line by line; a '%' goes as %25.
		 */
		char out[1024];
		FILE *f = tmpfile();
		int saved = dup(1);
		size_t n;

		setenv("GITHUB_ACTIONS", "true", 1);
		fflush(stdout);
		dup2(fileno(f), 1);
		credentials_mask("first line\nsecond line\r\n");
		credentials_mask("a%25b");
		fflush(stdout);
		dup2(saved, 1);
		close(saved);
		rewind(f);
		n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = '\0';
		fclose(f);
		unsetenv("GITHUB_ACTIONS");
		is_str(out, "::add-mask::first line%0Asecond line%0D%0A\n"
			    "::add-mask::first line\n::add-mask::second line\n"
			    "::add-mask::a%2525b\n",
		       "a secret's lines each masked, its data escaped");
	}

	strbuf_addf(&path, "%s/config.json", dir);
	unlink(path.buf);
	rmdir(dir);
	strbuf_release(&path);
	return tap_done();
}
