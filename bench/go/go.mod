module escapade/bench/go

go 1.19
