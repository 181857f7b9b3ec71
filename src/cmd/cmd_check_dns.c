#include "cmd/cmd.h"
const char cmd_check_dns_summary[] = "x";
const char cmd_check_dns_usage[] = "x";
int cmd_check_dns(int argc, char **argv) { (void)argc; (void)argv; return 2; }
