// DIR: yes
#include <stdio.h>
#include <string.h>

int main(void) {
    FILE *f = fopen("notes.txt", "w");
    if (!f) { perror("fopen w"); return 1; }
    for (int i = 0; i < 5; i++)
        fprintf(f, "line %d: %s\n", i, i % 2 ? "odd" : "even");
    fclose(f);

    f = fopen("notes.txt", "r");
    if (!f) { perror("fopen r"); return 1; }
    char line[64];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        printf("read: %s\n", line);
        n++;
    }
    printf("ftell at end: %ld\n", ftell(f));
    rewind(f);
    int c = fgetc(f);
    printf("first char after rewind: %c\n", c);
    fclose(f);

    f = fopen("notes.txt", "a");
    fputs("appended\n", f);
    fclose(f);
    f = fopen("notes.txt", "rb");
    fseek(f, -9, SEEK_END);
    size_t got = fread(line, 1, 8, f);
    line[got] = 0;
    printf("tail: %s (%d lines before)\n", line, n);
    fclose(f);
    return 0;
}
