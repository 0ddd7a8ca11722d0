"""`make bench`: every benchmark's table, one after the other."""

from bench import bench_aave, bench_cex, bench_chain, bench_drill, bench_external, bench_feed_takeover, bench_protocols

for title, module in (("chain runtime", bench_chain), ("drill engine", bench_drill), ("CEX venue", bench_cex),
                      ("feed takeover", bench_feed_takeover), ("Aave V3 reads", bench_aave),
                      ("Aave V3 vs reference", bench_protocols),
                      ("external protocol vs reference pool", bench_external)):
    print(f"\n== {title} ==")
    module.main()
