;; A file that is not a binary module (this text file) is one line, not a dump.
;; RUN: wasit2 check %s
;; EXIT: 1
(module)
