/* A stand-in for the libssl.so.3 of an OpenSSL newer than ferrossl knows: SSL_CTX_new in
 * OPENSSL_3.0.0, and a function in a node OPENSSL_3.6.0 (future.map). A program linked against it
 * needs that node, so ferrossl's library must be refused by the loader (tests/deb_package.rs). */
void *SSL_CTX_new(const void *method)
{
    (void)method;
    return (void *)1;
}

int SSL_from_the_future(void)
{
    return 1;
}
