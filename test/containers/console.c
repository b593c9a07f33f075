#include <stdio.h>
#include <string.h>
int main(void) {
  char line[4096];
  puts("ready"); fflush(stdout);
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    printf("console: %s\n", line); fflush(stdout);
    if (strcmp(line, "stop") == 0) return 0;
  }
  return 4;
}
