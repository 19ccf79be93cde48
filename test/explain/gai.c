/*
 * gai NAME [unspec|inet|inet6]: calls getaddrinfo(NAME) once, as a program would (no AI_* flags,
 * SOCK_STREAM so each address is listed once), and prints the result on one line:
 *   ok ADDR ADDR ...      the addresses in the order getaddrinfo returned them
 *   error EAI_XXX         the error code's name
 * Built twice by test/explain/reality.test.ts: with gcc (glibc, dynamic) and musl-gcc (static).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const char *eai(int e) {
  switch (e) {
  case EAI_NONAME: return "EAI_NONAME";
  case EAI_AGAIN: return "EAI_AGAIN";
  case EAI_FAIL: return "EAI_FAIL";
  case EAI_FAMILY: return "EAI_FAMILY";
  case EAI_SYSTEM: return "EAI_SYSTEM";
#ifdef EAI_NODATA
  case EAI_NODATA: return "EAI_NODATA";
#endif
#ifdef EAI_ADDRFAMILY
  case EAI_ADDRFAMILY: return "EAI_ADDRFAMILY";
#endif
  default: return "EAI_OTHER";
  }
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: gai NAME [unspec|inet|inet6]\n"); return 2; }
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  if (argc > 2 && strcmp(argv[2], "inet") == 0) hints.ai_family = AF_INET;
  if (argc > 2 && strcmp(argv[2], "inet6") == 0) hints.ai_family = AF_INET6;
  int rc = getaddrinfo(argv[1], NULL, &hints, &res);
  if (rc != 0) { printf("error %s\n", eai(rc)); return 1; }
  printf("ok");
  for (struct addrinfo *p = res; p != NULL; p = p->ai_next) {
    char buf[INET6_ADDRSTRLEN];
    const void *a = p->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr
                                             : (const void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr;
    printf(" %s", inet_ntop(p->ai_family, a, buf, sizeof buf));
  }
  printf("\n");
  freeaddrinfo(res);
  return 0;
}
