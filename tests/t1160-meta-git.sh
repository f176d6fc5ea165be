#!/bin/sh
# t1160: --context git / INPUT_CONTEXT=git, ref, sha and commit date from
# the repository (libgit2), and commit dates of the workflow context.
. "$(dirname "$0")/test-lib.sh"
test_have_prereq GIT || test_skip_all "git is needed to make the test repository"

test_expect_success 'make a repository with fixed dates' '
	git init -q repo &&
	(cd repo && echo one >f && git add f && git commit -qm one &&
	 GIT_COMMITTER_DATE=2021-06-07T08:09:10Z git commit -q --allow-empty -m two) &&
	git -C repo rev-parse HEAD >head &&
	test -s head
'

test_expect_success 'the git context: branch, sha and commit date' '
	(cd repo && publish meta --context git --images user/app \
		--tags type=ref,event=branch --tags type=sha,format=long \
		--tags "type=raw,value={{commit_date '"'"'YYYY-MM-DD'"'"'}}") >out &&
	grep "^  user/app:main$" out &&
	grep "^  user/app:sha-$(cat head)$" out &&
	grep "^  user/app:2021-06-07$" out &&
	grep "org.opencontainers.image.revision=$(cat head)" out &&
	grep "org.opencontainers.image.created=2021-06-07T08:09:10.000Z" out
'

test_expect_success 'INPUT_CONTEXT=git is the same as --context git' '
	(cd repo && env INPUT_CONTEXT=git publish meta --images user/app) >out &&
	grep "^  user/app:main$" out
'

test_expect_success 'a detached HEAD on a tag gives the tag ref' '
	(cd repo && git tag v1.2.3 && git checkout -q --detach v1.2.3 &&
	 publish meta --context git --images user/app --tags type=semver,pattern={{major}}.{{minor}}) >out &&
	grep "^version: 1.2$" out &&
	grep "^  user/app:latest$" out
'

test_expect_success 'SOURCE_DATE_EPOCH pins the commit date of the git context too' '
	(cd repo && SOURCE_DATE_EPOCH=86400 publish meta --context git) >out &&
	grep "org.opencontainers.image.created=1970-01-02T00:00:00.000Z" out
'

test_expect_success 'the workflow context takes the commit date from the repository when GITHUB_SHA is there' '
	(cd repo && env GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/main GITHUB_SHA=$(cat ../head) \
		publish meta) >out &&
	grep "org.opencontainers.image.created=2021-06-07T08:09:10.000Z" out
'

test_expect_success 'the git context outside a repository fails with exit 5' '
	mkdir -p plain && (cd plain && test_exit_code 5 publish meta --context git) 2>err &&
	grep "^error: cannot open the git repository" err &&
	test_line_count err = 1
'

test_done
