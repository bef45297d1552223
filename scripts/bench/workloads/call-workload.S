/* bench_call(fn, n): the only call of a workload. The instruction counters count from
 * bench_call_begin (the call) up to bench_call_end (not included): the workload's own
 * instructions plus this call. */
        .text
        .globl  bench_call, bench_call_begin, bench_call_end
bench_call:
        movl    4(%esp), %ecx
        pushl   8(%esp)
bench_call_begin:
        call    *%ecx
bench_call_end:
        addl    $4, %esp
        ret
        .section .note.GNU-stack, "", @progbits
