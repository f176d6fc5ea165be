#!/bin/sh
# t3000: the registry test harness itself, checked with independent
# clients only (curl, skopeo, openssl, docker): the token-auth registry,
# the token service, the fault proxy, the base images, the Docker engine.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-docker.sh"

test_require REGISTRY SKOPEO BUSYBOX

start_registry || exit 1
make_busybox_base base || exit 1

# jwt_part TOKEN N: the Nth (1 header, 2 claims) part of a JWT, decoded
jwt_part() {
	"$REGTEST_PY" -c 'import base64,sys; p=sys.argv[1].split(".")[int(sys.argv[2])-1]; sys.stdout.write(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())' "$1" "$2"
}

test_expect_success 'the registry answers /v2/ with a Bearer challenge' '
	reg_curl -D hdr -o body "https://$REGISTRY/v2/" &&
	grep "^HTTP/[0-9.]* 401" hdr &&
	grep -i "^www-authenticate: Bearer realm=\"$TOKEN_URL\",service=\"test-registry\"" hdr
'

test_expect_success 'a repository request is challenged with its scope' '
	reg_curl -D hdr -o body "https://$REGISTRY/v2/base/manifests/1" &&
	grep "^HTTP/[0-9.]* 401" hdr &&
	grep -i "^www-authenticate: Bearer .*scope=\"repository:base:pull\"" hdr &&
	grep UNAUTHORIZED body
'

test_expect_success 'the token is RS256 with the libtrust key id of the signing key' '
	tok=$(registry_token -u "$REG_USER:$REG_PASS" repository:base:pull,push) &&
	jwt_part "$tok" 1 >header &&
	openssl x509 -in "$TRASH/pki/token.crt" -pubkey -noout |
		openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary |
		head -c 30 | base32 | tr -d "=\n" | sed "s/..../&:/g; s/:$//" >kid &&
	grep -E "^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$" kid &&
	grep "\"alg\":\"RS256\"" header &&
	grep "\"kid\":\"$(cat kid)\"" header
'

test_expect_success 'the push user gets pull and push, with the claims distribution wants' '
	tok=$(registry_token -u "$REG_USER:$REG_PASS" repository:base:pull,push) &&
	jwt_part "$tok" 2 >claims &&
	jq -e ".iss == \"test-token-issuer\" and .aud == \"test-registry\" and .sub == \"$REG_USER\"" claims &&
	jq -e ".exp > .iat and .nbf <= .iat and (.jti | length) > 0" claims &&
	jq -e ".access == [{\"type\":\"repository\",\"name\":\"base\",\"actions\":[\"pull\",\"push\"]}]" claims
'

test_expect_success 'the pull user and anonymous get pull only; several scopes' '
	tok=$(registry_token -u "$REG_PULL_USER:$REG_PULL_PASS" repository:base:pull,push repository:other:pull) &&
	jwt_part "$tok" 2 >claims &&
	jq -e ".access == [{\"type\":\"repository\",\"name\":\"base\",\"actions\":[\"pull\"]},{\"type\":\"repository\",\"name\":\"other\",\"actions\":[\"pull\"]}]" claims &&
	tok=$(registry_token repository:base:pull,push) &&
	jwt_part "$tok" 2 >claims &&
	jq -e ".sub == \"\" and .access == [{\"type\":\"repository\",\"name\":\"base\",\"actions\":[\"pull\"]}]" claims
'

test_expect_success 'the token service answers access_token, expires_in, issued_at' '
	reg_curl -u "$REG_USER:$REG_PASS" "$TOKEN_URL?service=test-registry&scope=repository:base:pull" >reply &&
	jq -e "(.token == .access_token) and .expires_in > 0 and (.issued_at | test(\"^[0-9-]+T[0-9:]+Z$\"))" reply
'

test_expect_success 'a wrong password or an unknown user gets 401 from the token service' '
	test $(reg_curl -o /dev/null -w "%{http_code}" -u "$REG_USER:wrong" "$TOKEN_URL?service=test-registry") = 401 &&
	test $(reg_curl -o /dev/null -w "%{http_code}" -u "nobody:x" "$TOKEN_URL?service=test-registry") = 401 &&
	grep "	nobody	-	401$" "$TOKEN_LOG"
'

test_expect_success 'the OAuth2 password grant (POST) works too' '
	reg_curl -d grant_type=password -d "username=$REG_USER" -d "password=$REG_PASS" \
		-d service=test-registry -d "scope=repository:base:push" "$TOKEN_URL" >reply &&
	jwt_part "$(jq -r .access_token reply)" 2 >claims &&
	jq -e ".access[0].actions == [\"push\"]" claims
'

test_expect_success 'the base image is reproducible' '
	first=$BASE_DIGEST &&
	make_busybox_base again &&
	test "$BASE_DIGEST" = "$first" &&
	diff -r base again
'

test_expect_success 'the base image is a valid OCI layout with busybox and its applets' '
	umoci ls --layout base >tags &&
	echo latest >expect && test_cmp expect tags &&
	tar tvzf "$(oci_blob base "$BASE_LAYER_DIGEST")" >list &&
	grep "^-rwxr-xr-x 0/0 .* 1970-01-01 00:00 bin/busybox$" list &&
	grep " bin/sh -> busybox$" list &&
	grep " bin/httpd -> busybox$" list &&
	! grep -v " 0/0 " list &&
	jq -e ".os == \"linux\" and .architecture == \"amd64\" and .config.Cmd == [\"sh\"] and (.config.Env[0] | startswith(\"PATH=\")) and .rootfs.diff_ids == [\"$BASE_DIFF_ID\"]" \
		"$(oci_blob base "$BASE_CONFIG_DIGEST")"
'

test_expect_success 'skopeo pushes with the push user' '
	push_base base base:1 &&
	test "$PUSHED_DIGEST" = "$BASE_DIGEST"
'

test_expect_success 'skopeo inspects with the pull user and anonymously' '
	skopeo inspect --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_PULL_USER:$REG_PULL_PASS" \
		"docker://$REGISTRY/base:1" >info &&
	jq -e ".Digest == \"$BASE_DIGEST\"" info &&
	skopeo inspect --cert-dir "$REGISTRY_CERT_DIR" --no-creds "docker://$REGISTRY/base:1" >info &&
	jq -e ".Digest == \"$BASE_DIGEST\" and .Architecture == \"amd64\"" info
'

test_expect_success 'anonymous push is refused' '
	test_must_fail skopeo --policy "$TRASH/.skopeo-policy.json" copy --quiet \
		--dest-cert-dir "$REGISTRY_CERT_DIR" --dest-no-creds \
		oci:base:latest "docker://$REGISTRY/anon:1" 2>err &&
	grep -i -e unauthorized -e denied -e "authentication required" err
'

test_expect_success 'the pull user cannot push' '
	test_must_fail skopeo --policy "$TRASH/.skopeo-policy.json" copy --quiet \
		--dest-cert-dir "$REGISTRY_CERT_DIR" --dest-creds "$REG_PULL_USER:$REG_PULL_PASS" \
		oci:base:latest "docker://$REGISTRY/pullonly:1" 2>err &&
	grep -i -e unauthorized -e denied -e "authentication required" err
'

test_expect_success 'a wrong password is refused' '
	test_must_fail skopeo inspect --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:wrong" \
		"docker://$REGISTRY/base:1" 2>err &&
	grep -i -e unauthorized -e 401 err
'

test_expect_success 'a user added to the users file can push where the glob allows' '
	echo "ci:ci-secret:pull,push:team/*" >>"$REG_USERS_FILE" &&
	skopeo --policy "$TRASH/.skopeo-policy.json" copy --quiet \
		--dest-cert-dir "$REGISTRY_CERT_DIR" --dest-creds ci:ci-secret \
		oci:base:latest "docker://$REGISTRY/team/app:1" &&
	test_must_fail skopeo --policy "$TRASH/.skopeo-policy.json" copy --quiet \
		--dest-cert-dir "$REGISTRY_CERT_DIR" --dest-creds ci:ci-secret \
		oci:base:latest "docker://$REGISTRY/elsewhere/app:1"
'

test_expect_success 'the registry deletes manifests (storage.delete.enabled)' '
	push_base base victim:1 &&
	tok=$(registry_token -u "$REG_USER:$REG_PASS" repository:victim:pull,push,delete) &&
	test $(reg_curl -o /dev/null -w "%{http_code}" -X DELETE -H "Authorization: Bearer $tok" \
		"https://$REGISTRY/v2/victim/manifests/$BASE_DIGEST") = 202 &&
	test $(reg_curl -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $tok" \
		"https://$REGISTRY/v2/victim/manifests/$BASE_DIGEST") = 404
'

test_expect_success 'upload Locations are relative (http.relativeurls)' '
	tok=$(registry_token -u "$REG_USER:$REG_PASS" repository:base:pull,push) &&
	reg_curl -D hdr -o /dev/null -X POST -H "Authorization: Bearer $tok" \
		"https://$REGISTRY/v2/base/blobs/uploads/" &&
	grep -i "^location: /v2/base/blobs/uploads/" hdr
'

test_expect_success 'a two-platform index pushes and resolves per platform' '
	make_multiplatform_base multi &&
	push_base multi multi:1 &&
	test "$PUSHED_DIGEST" = "$BASE_INDEX_DIGEST" &&
	skopeo inspect --raw --cert-dir "$REGISTRY_CERT_DIR" "docker://$REGISTRY/multi:1" >raw &&
	jq -e "[.manifests[].platform.architecture] == [\"amd64\",\"arm64\"]" raw &&
	skopeo inspect --override-arch arm64 --cert-dir "$REGISTRY_CERT_DIR" \
		"docker://$REGISTRY/multi:1" >info &&
	jq -e ".Architecture == \"arm64\" and .Layers == [\"$BASE_LAYER_DIGEST\"]" info
'

test_expect_success 'skopeo converts the bases to Docker media types on push' '
	push_base base docker:1 --format v2s2 &&
	skopeo inspect --raw --cert-dir "$REGISTRY_CERT_DIR" "docker://$REGISTRY/docker:1" >raw &&
	jq -e ".mediaType == \"application/vnd.docker.distribution.manifest.v2+json\" and .layers[0].digest == \"$BASE_LAYER_DIGEST\"" raw &&
	make_multiplatform_base multi &&
	push_base multi dockermulti:1 --format v2s2 &&
	skopeo inspect --raw --cert-dir "$REGISTRY_CERT_DIR" "docker://$REGISTRY/dockermulti:1" >raw &&
	jq -e ".mediaType == \"application/vnd.docker.distribution.manifest.list.v2+json\" and (.manifests | length) == 2" raw
'

start_fault_proxy || exit 1
P=https://$FAULT_PROXY

test_expect_success 'the fault proxy passes requests through and logs them' '
	test $(reg_curl -o /dev/null -w "%{http_code}" "$P/v2/") = 401 &&
	grep "^GET	/v2/	401	-$" "$FAULT_LOG"
'

test_expect_success 'the fault proxy injects a 503 that curl sees, once' '
	fault_set "503,path=^/v2/\$,times=1" &&
	test $(reg_curl -o /dev/null -w "%{http_code}" "$P/v2/") = 503 &&
	test $(reg_curl -o /dev/null -w "%{http_code}" "$P/v2/") = 401 &&
	test $(fault_count "	503	503$") = 1
'

test_expect_success 'the fault proxy injects 429 with Retry-After on every 2nd request' '
	fault_set "429,every=2,retry-after=3" &&
	reg_curl -D h1 -o /dev/null "$P/v2/" &&
	reg_curl -D h2 -o /dev/null "$P/v2/" &&
	grep "^HTTP/1.1 401" h1 &&
	grep "^HTTP/1.1 429" h2 && grep -i "^retry-after: 3" h2
'

test_expect_success 'the fault proxy resets connections' '
	fault_set reset &&
	test_exit_code 56 reg_curl -o /dev/null "$P/v2/" &&
	fault_count "	-	reset$" >n && test $(cat n) = 1
'

test_expect_success 'the fault proxy loses an upload session once' '
	fault_set "lost-upload,method=PATCH,times=1" &&
	tok=$(registry_token -u "$REG_USER:$REG_PASS" repository:base:pull,push) &&
	reg_curl -D hdr -o /dev/null -X POST -H "Authorization: Bearer $tok" "$P/v2/base/blobs/uploads/" &&
	loc=$(tr -d "\r" <hdr | sed -n "s/^[Ll]ocation: //p") &&
	echo data >chunk &&
	reg_curl -o body -w "%{http_code}" -X PATCH -H "Authorization: Bearer $tok" \
		-H "Content-Type: application/octet-stream" --data-binary @chunk "$P$loc" >code &&
	test $(cat code) = 404 && grep BLOB_UPLOAD_UNKNOWN body &&
	test $(reg_curl -o /dev/null -w "%{http_code}" -X PATCH -H "Authorization: Bearer $tok" \
		-H "Content-Type: application/octet-stream" --data-binary @chunk "$P$loc") = 202
'

test_expect_success 'a chunked 3 MB upload passes the proxy intact' '
	tok=$(registry_token -u "$REG_USER:$REG_PASS" repository:big:pull,push) &&
	head -c 3000000 /dev/urandom >big &&
	d=sha256:$(sha256sum big | cut -d" " -f1) &&
	reg_curl -D hdr -o /dev/null -X POST -H "Authorization: Bearer $tok" "$P/v2/big/blobs/uploads/" &&
	loc=$(tr -d "\r" <hdr | sed -n "s/^[Ll]ocation: //p") &&
	reg_curl -D hdr -o /dev/null -X PATCH -H "Authorization: Bearer $tok" \
		-H "Transfer-Encoding: chunked" -H "Content-Type: application/octet-stream" \
		--data-binary @big "$P$loc" &&
	grep -i "^range: 0-2999999" hdr &&
	loc=$(tr -d "\r" <hdr | sed -n "s/^[Ll]ocation: //p") &&
	test $(reg_curl -o /dev/null -w "%{http_code}" -X PUT -H "Authorization: Bearer $tok" \
		"$P$loc&digest=$d") = 201 &&
	reg_curl -o back -H "Authorization: Bearer $tok" "$P/v2/big/blobs/$d" &&
	cmp big back
'

test_expect_success 'skopeo pushes through the proxy; the log shows the manifest PUT' '
	fault_set "" &&
	skopeo --policy "$TRASH/.skopeo-policy.json" copy --quiet \
		--dest-cert-dir "$REGISTRY_CERT_DIR" --dest-creds "$REG_USER:$REG_PASS" \
		oci:base:latest "docker://$FAULT_PROXY/viaproxy:1" &&
	test $(fault_count "^PUT	/v2/viaproxy/manifests/1	201	-$") = 1
'

test_expect_success 'blobs pull through the proxy unchanged, or corrupted on demand' '
	tok=$(registry_token repository:base:pull) &&
	reg_curl -o blob -H "Authorization: Bearer $tok" "$P/v2/base/blobs/$BASE_LAYER_DIGEST" &&
	cmp blob "$(oci_blob base "$BASE_LAYER_DIGEST")" &&
	fault_set "corrupt,path=/blobs/" &&
	reg_curl -o blob -H "Authorization: Bearer $tok" "$P/v2/base/blobs/$BASE_LAYER_DIGEST" &&
	! cmp -s blob "$(oci_blob base "$BASE_LAYER_DIGEST")" &&
	fault_set ""
'

test_expect_success 'a second registry signs with x5c and is independent' '
	(
		REGISTRY_TOKEN_X5C=1 start_registry second &&
		tok=$(registry_token -u "$REG_USER:$REG_PASS" repository:base:pull,push) &&
		jwt_part "$tok" 1 | grep "\"x5c\":\[" &&
		push_base base base:2 &&
		skopeo inspect --cert-dir "$REGISTRY_CERT_DIR" "docker://$REGISTRY/base:2" >info &&
		jq -e ".Digest == \"$BASE_DIGEST\"" info &&
		! skopeo inspect --cert-dir "$REGISTRY_CERT_DIR" "docker://$REGISTRY/base:1" 2>/dev/null
	) &&
	use_registry second && test "$REGISTRY_DIR" = "$TRASH/registry-second" &&
	use_registry reg && test "$REGISTRY_DIR" = "$TRASH/registry-reg"
'

test_expect_success 'a plain (TLS, no auth) registry takes an anonymous push' '
	(
		start_plain_registry &&
		test $(reg_curl -o /dev/null -w "%{http_code}" "https://$REGISTRY/v2/") = 200 &&
		push_base base plain:1 &&
		test "$PUSHED_DIGEST" = "$BASE_DIGEST"
	)
'

test_expect_success 'an HTTP registry answers on loopback' '
	(
		start_http_registry &&
		test $(curl -s -o /dev/null -w "%{http_code}" "http://$REGISTRY/v2/") = 200 &&
		push_base base http:1
	)
'

test_expect_success 'the fault proxy makes a valid token look expired (unauth)' '
	fault_set "unauth,times=1" &&
	tok=$(registry_token repository:base:pull) &&
	reg_curl -D hdr -o /dev/null -H "Authorization: Bearer $tok" "$P/v2/base/tags/list" &&
	grep "^HTTP/1.1 401" hdr &&
	grep -i "^www-authenticate: Bearer .*scope=\"repository:base:pull\"" hdr &&
	test $(reg_curl -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $tok" \
		"$P/v2/base/tags/list") = 200 &&
	fault_set ""
'

test_expect_success 'fault_log_count counts by field' '
	fault_set "500,method=HEAD,times=2" &&
	reg_curl -I -o /dev/null "$P/v2/base/manifests/1" &&
	reg_curl -I -o /dev/null "$P/v2/base/manifests/1" &&
	reg_curl -I -o /dev/null "$P/v2/base/manifests/1" &&
	test $(fault_log_count HEAD "/manifests/1\$") = 3 &&
	test $(fault_log_count HEAD "/manifests/1\$" 500 500) = 2 &&
	test $(fault_log_count "*" "/manifests/" 401 -) = 1 &&
	fault_set ""
'

test_expect_success 'tokens can be short-lived and their fetches broken by a proxy' '
	(
		REGISTRY_TOKEN_EXPIRES=7 REGISTRY_TOKEN_PROXY=1 start_registry tokfault &&
		test "$TOKEN_URL" != "$TOKEN_DIRECT_URL" &&
		reg_curl -D hdr -o /dev/null "$REGISTRY_URL/v2/" &&
		grep -i "realm=\"$TOKEN_URL\"" hdr &&
		tok=$(registry_token repository:base:pull) &&
		jwt_part "$tok" 2 >claims &&
		jq -e ".exp - .iat == 7" claims &&
		token_fault_set "500,times=1" &&
		test $(reg_curl -o /dev/null -w "%{http_code}" "$TOKEN_URL?service=test-registry") = 500 &&
		test $(reg_curl -o /dev/null -w "%{http_code}" "$TOKEN_URL?service=test-registry") = 200 &&
		test $(fault_log_count GET "^/token" 500 500 "$TOKEN_FAULT_LOG") = 1 &&
		test $(grep -c . "$TOKEN_LOG") = 2
	)
'

test_expect_success 'a fault proxy in front of an HTTP registry speaks HTTP' '
	(
		use_registry http &&
		start_fault_proxy "$REGISTRY" "503,times=1" &&
		test $(curl -s -o /dev/null -w "%{http_code}" "http://$FAULT_PROXY/v2/") = 503 &&
		test $(curl -s -o /dev/null -w "%{http_code}" "http://$FAULT_PROXY/v2/") = 200
	)
'

test_expect_success 'regtest_stop stops what the harness started' '
	(
		start_plain_registry stopme &&
		_regtest_alive "$REGISTRY_PID" &&
		regtest_stop "$REGISTRY_PID" &&
		! _regtest_alive "$REGISTRY_PID"
	)
'

start_dockerd || say "no docker engine: $(tail -n 1 "$DOCKERD_LOG" 2>/dev/null)"

test_expect_success DOCKER 'docker pulls the base anonymously and runs it without network' '
	container_pull "$REGISTRY/base:1" &&
	container_run "$REGISTRY/base:1" sh -c "echo hello from busybox; id -u" >out &&
	printf "hello from busybox\n0\n" >expect &&
	test_cmp expect out
'

test_expect_success DOCKER 'docker logs in with the push user and pushes' '
	container_login &&
	"$DOCKER" tag "$REGISTRY/base:1" "$REGISTRY/fromdocker:1" &&
	"$DOCKER" push "$REGISTRY/fromdocker:1" &&
	skopeo inspect --cert-dir "$REGISTRY_CERT_DIR" "docker://$REGISTRY/fromdocker:1" >info &&
	jq -e ".Architecture == \"amd64\"" info
'

test_expect_success DOCKER 'an OCI layout loads into docker' '
	container_load_oci base local/base:oci &&
	container_run local/base:oci cat /etc/passwd >out &&
	grep "^root:x:0:0:" out
'

test_done
