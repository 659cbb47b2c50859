/* Calls an OpenSSL 3.0 function and one of a release ferrossl does not know (future_lib.c). */
void *SSL_CTX_new(const void *method);
int SSL_from_the_future(void);

int main(void)
{
    return SSL_CTX_new(0) != 0 && SSL_from_the_future() == 1 ? 0 : 1;
}
