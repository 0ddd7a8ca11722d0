"""`make bench`: every benchmark's table, one after the other."""

from bench import bench_cex, bench_chain, bench_drill, bench_external

for title, module in (("chain runtime", bench_chain), ("drill engine", bench_drill), ("CEX venue", bench_cex),
                      ("external protocol vs reference pool", bench_external)):
    print(f"\n== {title} ==")
    module.main()
