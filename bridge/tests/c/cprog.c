/* args, environment, stdin, stdout and files with the wasip2 libc.a that
   rustup ships. It ships no headers, so the few prototypes are declared. */
typedef struct _IO_FILE FILE;
typedef unsigned long size_t;
extern FILE *const stdin;
int printf(const char *, ...);
char *getenv(const char *);
size_t fread(void *, size_t, size_t, FILE *);
size_t fwrite(const void *, size_t, size_t, FILE *);
FILE *fopen(const char *, const char *);
int fclose(FILE *);
int snprintf(char *, size_t, const char *, ...);
void *malloc(size_t);
int remove(const char *);
struct pollfd { int fd; short events; short revents; };
int poll(struct pollfd *, unsigned long, int);
#define POLLRDNORM 0x1

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) printf("arg %d=%s\n", i, argv[i]);
  const char *v = getenv("BRIDGE_VAR");
  printf("BRIDGE_VAR=%s\n", v ? v : "(null)");
  /* wasi:io/poll.poll, whose result list goes through the bridge's glue. */
  struct pollfd p = { 0, POLLRDNORM, 0 };
  int ready = poll(&p, 1, 10000);
  printf("poll=%d readable=%d\n", ready, (p.revents & POLLRDNORM) != 0);
  static char buf[200000];
  size_t n = fread(buf, 1, sizeof buf, stdin);
  unsigned long sum = 0;
  for (size_t i = 0; i < n; i++) sum += (unsigned char)buf[i];
  printf("stdin bytes=%zu sum=%lu\n", n, sum);
  if (argc > 1) {
    char path[256];
    snprintf(path, sizeof path, "%s/c-file.bin", argv[1]);
    FILE *f = fopen(path, "wb");
    if (!f) { printf("fopen w failed\n"); return 1; }
    char *data = malloc(150000);
    for (int i = 0; i < 150000; i++) data[i] = (char)(i % 247);
    fwrite(data, 1, 150000, f);
    fclose(f);
    f = fopen(path, "rb");
    if (!f) { printf("fopen r failed\n"); return 1; }
    size_t got = fread(buf, 1, sizeof buf, f);
    fclose(f);
    int same = got == 150000;
    for (size_t i = 0; same && i < got; i++) same = buf[i] == data[i];
    printf("file bytes=%zu same=%d\n", got, same);
    remove(path);
  }
  return 0;
}
