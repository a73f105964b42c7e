/* libcrypto is opened RTLD_LOCAL, so its symbols never join the application's namespace: a
 * program that links another OpenSSL, or none, sees no difference. A program that already has
 * libcrypto.so.3 loaded shares that copy (dlopen finds it by soname). It is never closed.
 * The pointers' types come from OpenSSL's own headers, so a mismatch fails to compile. */
#include "proto/crypto_lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "common/caps.h"

static struct {
	__typeof__(&EVP_MD_CTX_new) md_ctx_new;
	__typeof__(&EVP_MD_CTX_free) md_ctx_free;
	__typeof__(&EVP_DigestInit_ex) digest_init;
	__typeof__(&EVP_DigestUpdate) digest_update;
	__typeof__(&EVP_DigestFinal_ex) digest_final;
	__typeof__(&EVP_md5) md5;
	__typeof__(&EVP_sha256) sha256;
	__typeof__(&EVP_MAC_fetch) mac_fetch;
	__typeof__(&EVP_MAC_free) mac_free;
	__typeof__(&EVP_MAC_CTX_new) mac_ctx_new;
	__typeof__(&EVP_MAC_CTX_free) mac_ctx_free;
	__typeof__(&EVP_MAC_init) mac_init;
	__typeof__(&EVP_MAC_update) mac_update;
	__typeof__(&EVP_MAC_final) mac_final;
	__typeof__(&OSSL_PARAM_construct_utf8_string) param_utf8;
	__typeof__(&OSSL_PARAM_construct_end) param_end;
} crypto_fn;

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static int crypto_loaded = -1;
static char crypto_error[CAP_CRYPTO_ERROR];

/* Sets field to the symbol name of lib, cast to the type the header declares; false if absent. */
#define CRYPTO_BIND(lib, field, name)                                                              \
	((crypto_fn.field = (__typeof__(crypto_fn.field))dlsym(lib, #name)) != NULL)

static int crypto_bind_all(void *lib)
{
	bool ok = CRYPTO_BIND(lib, md_ctx_new, EVP_MD_CTX_new) &&
		  CRYPTO_BIND(lib, md_ctx_free, EVP_MD_CTX_free) &&
		  CRYPTO_BIND(lib, digest_init, EVP_DigestInit_ex) &&
		  CRYPTO_BIND(lib, digest_update, EVP_DigestUpdate) &&
		  CRYPTO_BIND(lib, digest_final, EVP_DigestFinal_ex) &&
		  CRYPTO_BIND(lib, md5, EVP_md5) && CRYPTO_BIND(lib, sha256, EVP_sha256) &&
		  CRYPTO_BIND(lib, mac_fetch, EVP_MAC_fetch) &&
		  CRYPTO_BIND(lib, mac_free, EVP_MAC_free) &&
		  CRYPTO_BIND(lib, mac_ctx_new, EVP_MAC_CTX_new) &&
		  CRYPTO_BIND(lib, mac_ctx_free, EVP_MAC_CTX_free) &&
		  CRYPTO_BIND(lib, mac_init, EVP_MAC_init) &&
		  CRYPTO_BIND(lib, mac_update, EVP_MAC_update) &&
		  CRYPTO_BIND(lib, mac_final, EVP_MAC_final) &&
		  CRYPTO_BIND(lib, param_utf8, OSSL_PARAM_construct_utf8_string) &&
		  CRYPTO_BIND(lib, param_end, OSSL_PARAM_construct_end);

	return ok ? 0 : -1;
}

/* Keeps dlerror's text, or a fallback should it have none. */
static void crypto_note_error(void)
{
	const char *e = dlerror();
	size_t n;

	if (e == NULL)
		e = CRYPTO_LIBRARY ": cannot be loaded";
	n = strnlen(e, sizeof crypto_error - 1);
	memcpy(crypto_error, e, n);
	crypto_error[n] = '\0';
}

static void crypto_load_once(void)
{
	void *lib = dlopen(CRYPTO_LIBRARY, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL || crypto_bind_all(lib) < 0) {
		crypto_note_error();
		memset(&crypto_fn, 0, sizeof crypto_fn);
		/* a library without one of the functions is of no use; the others stay unbound */
		if (lib != NULL)
			dlclose(lib);
		crypto_loaded = 0;
		return;
	}
	crypto_loaded = 1;
}

int crypto_load(void)
{
	pthread_once(&crypto_once, crypto_load_once);
	return crypto_loaded == 1 ? 0 : -1;
}

const char *crypto_load_error(void)
{
	return crypto_load() < 0 ? crypto_error : NULL;
}

int crypto_digest(enum crypto_md md, const struct crypto_part *parts, size_t n,
		  uint8_t out[CRYPTO_DIGEST_MAX], size_t *len)
{
	EVP_MD_CTX *ctx;
	unsigned dlen = 0;
	int ok;

	if (crypto_load() < 0)
		return -1;
	ctx = crypto_fn.md_ctx_new();
	ok = ctx != NULL &&
	     crypto_fn.digest_init(ctx, md == CRYPTO_SHA256 ? crypto_fn.sha256() : crypto_fn.md5(),
				   NULL);
	for (size_t i = 0; ok && i < n; i++)
		ok = crypto_fn.digest_update(ctx, parts[i].p, parts[i].n);
	/* out holds CRYPTO_DIGEST_MAX bytes, not EVP_MAX_MD_SIZE: enough for MD5 and SHA-256, the
	 * only digests run here */
	ok = ok && crypto_fn.digest_final(ctx, out, &dlen) && dlen <= CRYPTO_DIGEST_MAX;
	crypto_fn.md_ctx_free(ctx);
	*len = dlen;
	return ok ? 0 : -1;
}

int crypto_hmac_md5(const void *key, size_t klen, const struct crypto_part *parts, size_t n,
		    uint8_t out[CRYPTO_MD5_LEN])
{
	char digest[] = "MD5";
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	size_t outl = 0;
	int ok;

	if (crypto_load() < 0)
		return -1;
	params[0] = crypto_fn.param_utf8(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = crypto_fn.param_end();
	mac = crypto_fn.mac_fetch(NULL, "HMAC", NULL);
	ctx = mac != NULL ? crypto_fn.mac_ctx_new(mac) : NULL;
	ok = ctx != NULL && crypto_fn.mac_init(ctx, key, klen, params);
	for (size_t i = 0; ok && i < n; i++)
		ok = crypto_fn.mac_update(ctx, parts[i].p, parts[i].n);
	ok = ok && crypto_fn.mac_final(ctx, out, &outl, CRYPTO_MD5_LEN) && outl == CRYPTO_MD5_LEN;
	crypto_fn.mac_ctx_free(ctx);
	crypto_fn.mac_free(mac);
	return ok ? 0 : -1;
}
