#!/bin/sh
# t1230: publish changed, the services whose files changed: found by their
# Dockerfile or given with --service, since --since REF, the push event's
# before, or each service's last NAME/v* tag; text and JSON; bad input.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-history.sh"
test_require GIT

test_expect_success 'a repository of three services and a library' '
	git init -q Mono && cd Mono &&
	git remote add origin https://github.com/Acme/Shop.git &&
	hist_commit "base" services/history/Dockerfile &&
	hist_commit "base" services/video-streaming/Dockerfile &&
	hist_commit "base" services/metadata/Dockerfile &&
	hist_commit "lib" libs/common/a.c &&
	git tag start &&
	hist_tag history/v0.3.1 &&
	hist_commit "video" services/video-streaming/main.c &&
	git tag mid &&
	hist_commit "lib" libs/common/a.c &&
	hist_tag metadata/v1.0.0 -a &&
	hist_commit "readme" README &&
	cd .. && git -C Mono rev-parse mid >/dev/null
'

test_expect_success 'found by their Dockerfile; since a commit' '
	(cd Mono && publish changed --since start) >out &&
	echo video-streaming >want && test_cmp want out &&
	(cd Mono && publish changed --since HEAD) >out &&
	test ! -s out
'

test_expect_success '--service with several paths' '
	(cd Mono && publish changed --since mid --service history=services/history,libs/common \
		--service metadata=services/metadata/) >out &&
	echo history >want && test_cmp want out
'

test_expect_success 'without --since: each service since its last NAME/v* tag' '
	(cd Mono && publish changed --service history=services/history,libs/common \
		--service metadata=services/metadata,libs/common \
		--service video-streaming=services/video-streaming) >out &&
	printf "history\nvideo-streaming\n" >want && test_cmp want out
'

test_expect_success '--format json: a job matrix with name, path, dockerfile and image' '
	(cd Mono && publish changed --since start --format json) >out &&
	jq -e "length == 1" out &&
	jq -e ".[0].name == \"video-streaming\" and .[0].path == \"services/video-streaming\"" out &&
	jq -e ".[0].dockerfile == \"services/video-streaming/Dockerfile\"" out &&
	jq -e ".[0].image == \"ghcr.io/acme/shop/video-streaming\"" out &&
	(cd Mono && env GITHUB_REPOSITORY=Other/Repo publish changed --since start --format json) >out &&
	jq -e ".[0].image == \"ghcr.io/other/repo/video-streaming\"" out
'

test_expect_success 'in Actions on a push: since the event before, and the services output' '
	printf "{\"before\": \"%s\"}\n" $(git -C Mono rev-parse mid) >event.json &&
	(cd Mono && env GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH=$TRASH/event.json \
		GITHUB_OUTPUT=$TRASH/output publish changed --service history=services/history,libs/common \
		--service video-streaming=services/video-streaming) >out &&
	echo history >want && test_cmp want out &&
	grep "^services<<ghadelimiter_" output &&
	sed -n 2p output | jq -e ".[0].name == \"history\""
'

test_expect_success 'a before that is not in a whole clone (a force push): a warning, then the release tags' '
	printf "{\"before\": \"%s\"}\n" 1111111111111111111111111111111111111111 >event.json &&
	(cd Mono && env GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH=$TRASH/event.json \
		publish changed --service metadata=services/metadata) >out 2>err &&
	test ! -s out &&
	grep "^warning: the push event.s before commit 1111111111111111111111111111111111111111 is not in this checkout (after a force push?): comparing with each service.s last release tag" err
'

test_expect_success 'bad input: --since naming no commit, a missing path, a bad --service (exit 3)' '
	(cd Mono && test_exit_code 3 publish changed --since nope) 2>err &&
	grep "^error: --since .nope. names no commit" err && test_line_count err = 1 &&
	(cd Mono && test_exit_code 3 publish changed --service x=services/nothere) 2>err &&
	grep "^error: service .x.: path .services/nothere. is not in the repository" err &&
	test_line_count err = 1 &&
	(cd Mono && test_exit_code 3 publish changed --service justaname) 2>err &&
	grep "^error: invalid --service .justaname." err && test_line_count err = 1
'

test_expect_success 'an unreadable repository is exit 5, an unknown option exit 2' '
	mkdir -p plain && (cd plain && test_exit_code 5 publish changed) 2>err &&
	grep "^error: cannot open the git repository" err && test_line_count err = 1 &&
	(cd Mono && test_exit_code 2 publish changed --bogus x) 2>err &&
	test_line_count err = 1
'

test_done
