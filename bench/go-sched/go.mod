module escapade/bench/gosched

go 1.19
